/**
 * `Module`: the base of every layer and model, after PyTorch's `torch.nn.Module`
 * (torch/nn/modules/module.py). A module owns named parameters, buffers and child modules,
 * kept in insertion order so that names and state-dict keys follow PyTorch's
 * (`encoder.0.weight`), which lets checkpoints move between t2vlab and PyTorch unchanged.
 *
 * Ownership: a module owns its parameter and buffer tensors (they are `T.keep`-ed, so building a
 * model inside `tidy()` is safe) and frees them in `dispose()`. Tensors handed out by
 * `namedParameters()` / `parameters()` / `namedBuffers()` are the module's own handles: do not
 * dispose them. `stateDict()` returns new handles that the caller owns.
 *
 * @example
 *   const fc = new Linear(4, 3);
 *   [...fc.namedParameters().keys()];     // ['weight', 'bias']
 *   fc.numParameters();                    // 15
 *   fc.toString();                         // 'Linear(in_features=4, out_features=3, bias=True)'
 *   fc.dispose();
 */
import * as T from '../tensor/index.js';
import type { DType, Tensor } from '../tensor/index.js';

/** A module with one input and one output (what `Sequential` chains). */
export interface Layer {
  forward(x: Tensor): Tensor;
}

/** What `loadStateDict` found: keys the model expected but did not get, and keys it did not know. */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

interface BufferSlot {
  tensor: Tensor | null;
  persistent: boolean;
}

export class Module {
  readonly #params = new Map<string, Tensor | null>();
  readonly #buffers = new Map<string, BufferSlot>();
  readonly #modules = new Map<string, Module>();
  #training = true;

  // ---- registration -----------------------------------------------------------------------

  /**
   * Register a parameter (PyTorch `register_parameter`); the module takes ownership of `t`, sets
   * requires_grad and exempts it from enclosing `tidy()` scopes. `null` registers an absent
   * parameter (e.g. `bias=False`), which is skipped by `parameters()` and `stateDict()`.
   */
  registerParameter<P extends Tensor | null>(name: string, t: P): P {
    this.#checkNewName(name);
    this.#params.set(name, t === null ? null : asParameter(t, name));
    return t;
  }

  /** Replace a registered parameter; the old tensor is disposed, the module owns the new one. */
  setParameter<P extends Tensor | null>(name: string, t: P): P {
    if (!this.#params.has(name)) throw new Error(`${this.constructor.name} has no parameter '${name}'; registered: ${[...this.#params.keys()].join(', ') || '(none)'}`);
    const old = this.#params.get(name);
    if (old && old !== t) old.dispose();
    this.#params.set(name, t === null ? null : asParameter(t, name));
    return t;
  }

  /**
   * Register a buffer (PyTorch `register_buffer`): state that is not trained, such as running
   * statistics. Non-persistent buffers are left out of `stateDict()`. The module owns `t`.
   */
  registerBuffer<B extends Tensor | null>(name: string, t: B, persistent = true): B {
    this.#checkNewName(name);
    if (t) T.keep(t);
    this.#buffers.set(name, { tensor: t, persistent });
    return t;
  }

  /** Replace a registered buffer (keeping its persistence); the old tensor is disposed, the module owns the new one. */
  setBuffer<B extends Tensor | null>(name: string, t: B): B {
    const slot = this.#buffers.get(name);
    if (!slot) throw new Error(`${this.constructor.name} has no buffer '${name}'; registered: ${[...this.#buffers.keys()].join(', ') || '(none)'}`);
    if (slot.tensor && slot.tensor !== t) slot.tensor.dispose();
    if (t) T.keep(t);
    slot.tensor = t;
    return t;
  }

  /** Register a child module (PyTorch `register_module` / `add_module`); returns it. */
  registerModule<M extends Module>(name: string, m: M): M {
    this.#checkNewName(name);
    this.#modules.set(name, m);
    return m;
  }

  #checkNewName(name: string): void {
    if (name === '' || name.includes('.')) throw new Error(`${this.constructor.name}: invalid name '${name}' (non-empty, no '.')`);
    if (this.#params.has(name) || this.#buffers.has(name) || this.#modules.has(name)) {
      throw new Error(`${this.constructor.name}: '${name}' is already registered`);
    }
  }

  // ---- access for subclasses -------------------------------------------------------------

  /** A registered parameter that must be present. */
  protected param(name: string): Tensor {
    const p = this.#params.get(name);
    if (!p) throw new Error(`${this.constructor.name}: parameter '${name}' is ${this.#params.has(name) ? 'None' : 'not registered'}`);
    return p;
  }
  /** A registered parameter that may be None (e.g. an optional bias). */
  protected paramOrNull(name: string): Tensor | null {
    return this.#params.get(name) ?? null;
  }
  /** A registered buffer that must be present. */
  protected buffer(name: string): Tensor {
    const b = this.#buffers.get(name)?.tensor;
    if (!b) throw new Error(`${this.constructor.name}: buffer '${name}' is ${this.#buffers.has(name) ? 'None' : 'not registered'}`);
    return b;
  }
  /** A registered buffer that may be None. */
  protected bufferOrNull(name: string): Tensor | null {
    return this.#buffers.get(name)?.tensor ?? null;
  }

  // ---- traversal ---------------------------------------------------------------------------

  /** Direct children by name, in registration order. */
  namedChildren(): Map<string, Module> {
    return new Map(this.#modules);
  }
  children(): Module[] {
    return [...this.#modules.values()];
  }

  /** This module (key '') and every descendant, pre-order, with dotted names (PyTorch `named_modules`). */
  namedModules(prefix = ''): Map<string, Module> {
    const out = new Map<string, Module>();
    const seen = new Set<Module>();
    const visit = (m: Module, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.set(name, m);
      for (const [k, c] of m.#modules) visit(c, join(name, k));
    };
    visit(this, prefix);
    return out;
  }

  /** Every parameter with its dotted name, each tensor once (PyTorch `named_parameters`). */
  namedParameters(prefix = ''): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    const seen = new Set<Tensor>();
    for (const [mName, m] of this.namedModules(prefix)) {
      for (const [k, p] of m.#params) {
        if (p && !seen.has(p)) {
          seen.add(p);
          out.set(join(mName, k), p);
        }
      }
    }
    return out;
  }
  parameters(): Tensor[] {
    return [...this.namedParameters().values()];
  }

  /** Every buffer (persistent or not) with its dotted name (PyTorch `named_buffers`). */
  namedBuffers(prefix = ''): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [mName, m] of this.namedModules(prefix)) {
      for (const [k, b] of m.#buffers) if (b.tensor) out.set(join(mName, k), b.tensor);
    }
    return out;
  }
  buffers(): Tensor[] {
    return [...this.namedBuffers().values()];
  }

  /** A descendant by dotted path ('encoder.0'); '' is this module. */
  getSubmodule(target: string): Module {
    let m: Module = this;
    for (const part of target === '' ? [] : target.split('.')) {
      const c = m.#modules.get(part);
      if (!c) throw new Error(`${m.constructor.name} has no submodule '${part}' (looking up '${target}'); children: ${[...m.#modules.keys()].join(', ') || '(none)'}`);
      m = c;
    }
    return m;
  }
  /** A parameter by dotted name ('encoder.0.weight'). */
  getParameter(target: string): Tensor {
    const dot = target.lastIndexOf('.');
    const owner = this.getSubmodule(dot < 0 ? '' : target.slice(0, dot));
    return owner.param(target.slice(dot + 1));
  }

  /** Call `fn` on every descendant and then on this module (post-order, as PyTorch `apply`). */
  apply(fn: (m: Module) => void): this {
    for (const c of this.#modules.values()) c.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients -----------------------------------------------------------------

  get training(): boolean {
    return this.#training;
  }
  /** Set training mode here and in every descendant (affects Dropout, BatchNorm). */
  train(on = true): this {
    this.#training = on;
    for (const c of this.#modules.values()) c.train(on);
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  /** Clear every parameter's gradient (PyTorch `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.setGrad(null);
  }
  /** Turn gradient recording on or off for every parameter (freezing). */
  requiresGrad_(on = true): this {
    for (const p of this.parameters()) p.requiresGrad_(on);
    return this;
  }
  /** Total number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel, 0);
  }

  // ---- moves and lifetime ------------------------------------------------------------------

  /** Move every parameter and buffer to `device` in place ('cpu', 'cuda', 'cuda:1'). Gradients are dropped. */
  to(device: string): this {
    this.#mapTensors((t) => (t.device === device ? null : t.to(device)), new Map());
    return this;
  }
  /** Convert floating-point parameters and buffers to `dtype` (as PyTorch `.double()` / `.half()`). Gradients are dropped. */
  toDType(dtype: DType): this {
    this.#mapTensors((t) => (t.dtype === dtype || !T.isFloating(t.dtype) ? null : t.toDType(dtype)), new Map());
    return this;
  }
  double(): this {
    return this.toDType('float64');
  }
  float(): this {
    return this.toDType('float32');
  }

  /** Replace each tensor by `fn(t)` (null = keep); `memo` keeps tied tensors tied. */
  #mapTensors(fn: (t: Tensor) => Tensor | null, memo: Map<Tensor, Tensor>): void {
    const convert = (t: Tensor, isParam: boolean): Tensor => {
      const done = memo.get(t);
      if (done) return done;
      const u = T.noGrad(() => fn(t));
      if (u === null) {
        memo.set(t, t);
        return t;
      }
      T.keep(u);
      if (isParam && t.requiresGrad) u.requiresGrad_(true);
      t.dispose();
      memo.set(t, u);
      return u;
    };
    for (const [k, p] of this.#params) if (p) this.#params.set(k, convert(p, true));
    for (const b of this.#buffers.values()) if (b.tensor) b.tensor = convert(b.tensor, false);
    for (const c of this.#modules.values()) c.#mapTensors(fn, memo);
  }

  /** Free every parameter and buffer here and in every descendant. The module is unusable afterwards. */
  dispose(): void {
    for (const p of this.#params.values()) p?.dispose();
    for (const b of this.#buffers.values()) b.tensor?.dispose();
    for (const c of this.#modules.values()) c.dispose();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- state dict --------------------------------------------------------------------------

  /** Parameters then persistent buffers of each module, pre-order (PyTorch's state_dict order). */
  #stateEntries(prefix: string, out: [string, Tensor][] = []): [string, Tensor][] {
    for (const [k, p] of this.#params) if (p) out.push([join(prefix, k), p]);
    for (const [k, b] of this.#buffers) if (b.tensor && b.persistent) out.push([join(prefix, k), b.tensor]);
    for (const [k, c] of this.#modules) c.#stateEntries(join(prefix, k), out);
    return out;
  }

  /**
   * Parameters and persistent buffers by dotted key (PyTorch `state_dict`). The values are new
   * detached handles sharing storage with the model: the caller owns (and disposes) them.
   */
  stateDict(prefix = ''): Map<string, Tensor> {
    return new Map(this.#stateEntries(prefix).map(([k, t]) => [k, T.detach(t)]));
  }

  /**
   * Copy `sd`'s values into the existing parameters and buffers in place (PyTorch
   * `load_state_dict`), converting dtype and device as needed. Everything is checked before
   * anything is copied, so a failed load leaves the model unchanged. Shape mismatches always
   * throw; with `strict` (the default) missing and unexpected keys throw too, all in one Error.
   * `sd` stays owned by the caller.
   */
  loadStateDict(sd: Map<string, Tensor>, opts: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const own = this.#stateEntries('');
    const ownKeys = new Set(own.map(([k]) => k));
    const missingKeys = own.map(([k]) => k).filter((k) => !sd.has(k));
    const unexpectedKeys = [...sd.keys()].filter((k) => !ownKeys.has(k));
    const errors: string[] = [];
    if (strict && missingKeys.length > 0) errors.push(`Missing key(s) in state_dict: ${quoted(missingKeys)}.`);
    if (strict && unexpectedKeys.length > 0) errors.push(`Unexpected key(s) in state_dict: ${quoted(unexpectedKeys)}.`);
    for (const [k, t] of own) {
      const src = sd.get(k);
      if (src && !sameShape(src.shape, t.shape)) {
        errors.push(`size mismatch for ${k}: copying a param with shape [${src.shape.join(', ')}] from checkpoint, the shape in current model is [${t.shape.join(', ')}].`);
      }
    }
    if (errors.length > 0) {
      const hint = strict && missingKeys.length + unexpectedKeys.length > 0 ? '\n(pass { strict: false } to load a partial checkpoint)' : '';
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}${hint}`);
    }
    T.noGrad(() => {
      for (const [k, t] of own) {
        const src = sd.get(k);
        if (src) t.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----------------------------------------------------------------------------

  /** The arguments shown between the parentheses of `toString()` (PyTorch `extra_repr`). */
  extraRepr(): string {
    return '';
  }
  /** PyTorch-style nested summary, e.g. `Sequential(\n  (0): Linear(in_features=2, ...)\n)`. */
  toString(): string {
    const name = this.constructor.name;
    const lines = [...this.#modules].map(([k, c]) => `(${k}): ${c.toString().replace(/\n/g, '\n  ')}`);
    const extra = this.extraRepr();
    if (lines.length === 0) return `${name}(${extra})`;
    return `${name}(\n  ${[...(extra ? [extra] : []), ...lines].join('\n  ')}\n)`;
  }
}

/** Make `t` a parameter: exempt from scopes, a leaf that requires grad. */
function asParameter(t: Tensor, name: string): Tensor {
  if (!t.isLeaf) throw new Error(`parameter '${name}' must be a leaf tensor; pass T.detach(t) (or create it under T.noGrad)`);
  T.keep(t);
  if (!t.requiresGrad) t.requiresGrad_(true);
  return t;
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function quoted(keys: string[]): string {
  return keys.map((k) => `"${k}"`).join(', ');
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
