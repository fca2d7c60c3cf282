/**
 * The optimizer contract shared by SGD, Adam and AdamW, after `torch.optim.Optimizer`:
 * parameter groups with their own hyper-parameters, per-parameter state created on a
 * parameter's first update, `step()` / `zeroGrad()`, and a state dict in PyTorch's layout.
 *
 * State dict (torch's `state_dict()`, with the nested `state` flattened to named tensors):
 *
 *   tensors  `state.<i>.<name>`: i counts parameters through all groups in order (torch's
 *            integer ids); name is the optimizer's state entry (`exp_avg`, `exp_avg_sq`,
 *            `max_exp_avg_sq`, `momentum_buffer`) or `step`, a 0-d float64 tensor (float64
 *            rather than torch's float32 so counts stay exact past 2^24; torch reads it with
 *            `.item()`). Parameters that never had a gradient have no entries, as in torch.
 *   meta     `{ optimizer: 'Adam', param_groups: [{ lr, betas, eps, weight_decay, amsgrad,
 *            params: [0, 1, …] }, …] }`, hyper-parameters under torch's snake_case names.
 *
 * Cost of a step: reading `p.grad` is one native call per parameter (the binding has no
 * batched grad read); the arithmetic is a fixed number of `_foreach_*` kernel calls per group
 * (per group and distinct step count, for Adam), independent of the number of parameters.
 * Updates run under `noGrad` inside a `tidy` scope, so a step leaves no tensors behind.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Named tensors plus JSON: the portable form of optimizer, EMA or scheduler state. */
export interface StateDict {
  tensors: Map<string, Tensor>;
  meta: JsonObject;
}

/** A hyper-parameter value: a number, a flag, or a fixed-length tuple such as Adam's betas. */
export type HyperValue = number | boolean | readonly number[];
/** Every optimizer's hyper-parameters include a learning rate. */
export interface Hyper {
  lr: number;
}
export type ParamGroup<H extends Hyper> = H & { params: Tensor[] };
/** A group as passed to a constructor: hyper-parameters left out take the optimizer's defaults. */
export type ParamGroupInput<H extends Hyper> = Partial<H> & { params: Tensor[] };
/** Either a flat list of parameters (one group) or a list of groups. */
export type Params<H extends Hyper> = Tensor[] | ParamGroupInput<H>[];
/** torch's `param_groups` name of each hyper-parameter (`weightDecay` → `weight_decay`). */
export type TorchNames<H> = { readonly [K in keyof H]-?: string };

/** The parameters of one group that have a gradient this step, with their global indices. */
export interface GradBatch {
  indices: number[];
  params: Tensor[];
  grads: Tensor[];
}

/** Per-parameter state: `tensors` holds torch's entries; `step` mirrors the `step` tensor. */
export interface ParamState {
  step: number;
  tensors: Map<string, Tensor>;
}

/** What a training loop needs from any optimizer, whatever its hyper-parameters. */
export interface OptimizerLike {
  readonly name: string;
  readonly lr: number;
  setLr(lr: number): void;
  step(): void;
  zeroGrad(): void;
  stateDict(): StateDict;
  loadStateDict(sd: StateDict): void;
  dispose(): void;
}

const STATE_KEY = /^state\.(0|[1-9][0-9]*)\.([A-Za-z_][A-Za-z0-9_]*)$/;

export abstract class Optimizer<H extends Hyper> implements OptimizerLike {
  readonly paramGroups: ParamGroup<H>[];
  /** State by global parameter index; absent until the parameter's first update. */
  protected state = new Map<number, ParamState>();
  readonly #torchNames: TorchNames<H>;
  /** Global index of each group's first parameter. */
  readonly #offsets: number[];
  #disposed = false;

  /**
   * Name used in errors and in the state dict (`'Adam'`). Subclasses override this getter (an
   * accessor on the prototype, not a field), so it is already right inside this constructor.
   */
  get name(): string {
    return 'Optimizer';
  }
  /** Throw a user-facing Error if a group's hyper-parameters are out of range. */
  protected abstract validate(h: H, where: string): void;
  /** State entries a parameter of this group must have once it has state (for loadStateDict). */
  protected abstract requiredState(group: ParamGroup<H>): string[];
  /** Every state entry name this optimizer may store. */
  protected abstract stateNames(): readonly string[];
  /** Update one group's parameters in place. Runs under noGrad in a tidy scope. */
  protected abstract updateGroup(group: ParamGroup<H>, batch: GradBatch): void;

  /**
   * @param defaults  the optimizer's defaults; they also fix each option's kind (number, flag,
   *                  tuple length) that `opts` and the groups are checked against
   * @param opts      constructor options, overriding `defaults` for every group
   */
  protected constructor(params: Params<H>, defaults: H, torchNames: TorchNames<H>, opts: Partial<H> = {}) {
    this.#torchNames = torchNames;
    if (!Array.isArray(params) || params.length === 0) {
      throw new Error(`${this.name}: got an empty parameter list; pass the tensors to optimize (or a list of param groups)`);
    }
    const base = this.mergeHyper(opts, defaults, `${this.name}: options`);
    const inputs: ParamGroupInput<H>[] = T.isTensor(params[0])
      ? [{ params: params as Tensor[] } as ParamGroupInput<H>]
      : (params as ParamGroupInput<H>[]);
    const seen = new Map<Tensor, string>();
    this.#offsets = [];
    let offset = 0;
    this.paramGroups = inputs.map((input, g) => {
      const where = `${this.name}: param group ${g}`;
      if (typeof input !== 'object' || input === null || !Array.isArray(input.params)) {
        throw new Error(`${where} must be an object { params: Tensor[], ...hyper-parameters }`);
      }
      const { params: ps, ...hyper } = input;
      const group: ParamGroup<H> = { ...this.mergeHyper(hyper as unknown as Partial<H>, base, where), params: [...ps] };
      this.checkParams(group.params, g, seen);
      this.#offsets.push(offset);
      offset += group.params.length;
      return group;
    });
  }

  /** Learning rate of the first group. */
  get lr(): number {
    return this.paramGroups[0]!.lr;
  }

  /** Set the learning rate of every group (what an LR schedule does each step). */
  setLr(lr: number): void {
    if (!Number.isFinite(lr) || lr < 0) throw new Error(`${this.name}.setLr: learning rate must be a finite number >= 0, got ${lr}`);
    for (const g of this.paramGroups) g.lr = lr;
  }

  /** Clear every parameter's gradient (torch's `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.setGrad(null);
  }

  /** One optimization step over every parameter that has a gradient; the others are skipped. */
  step(): void {
    this.assertAlive('step');
    T.tidy(() =>
      T.noGrad(() => {
        this.paramGroups.forEach((group, g) => {
          const batch: GradBatch = { indices: [], params: [], grads: [] };
          group.params.forEach((p, j) => {
            const grad = p.grad; // (shape of p); freed with the scope
            if (grad === null) return;
            batch.indices.push(this.#offsets[g]! + j);
            batch.params.push(p);
            batch.grads.push(grad);
          });
          if (batch.params.length > 0) this.updateGroup(group, batch);
        });
      }),
    );
  }

  /**
   * The state in PyTorch's layout (see the file comment). The tensors are the optimizer's own,
   * not copies: read or save them before the next `step()`, and do not dispose them.
   */
  stateDict(): StateDict {
    this.assertAlive('stateDict');
    const tensors = new Map<string, Tensor>();
    for (const i of [...this.state.keys()].sort((a, b) => a - b)) {
      for (const [name, t] of this.state.get(i)!.tensors) tensors.set(`state.${i}.${name}`, t);
    }
    const groups: JsonValue[] = this.paramGroups.map((group, g) => {
      const json: JsonObject = {};
      for (const key of this.hyperKeys()) {
        const v = group[key] as HyperValue;
        json[this.#torchNames[key]] = typeof v === 'object' ? [...v] : v;
      }
      json['params'] = group.params.map((_, j) => this.#offsets[g]! + j);
      return json;
    });
    return { tensors, meta: { optimizer: this.name, param_groups: groups } };
  }

  /**
   * Restore state saved by {@link stateDict} (possibly by PyTorch, in the same layout). The
   * tensors are copied (converted to each parameter's dtype and device); the caller keeps
   * ownership of `sd`. Hyper-parameters, the learning rate included, are restored from the
   * saved groups, as in torch. Everything is validated before anything changes.
   */
  loadStateDict(sd: StateDict): void {
    this.assertAlive('loadStateDict');
    const where = `${this.name}.loadStateDict`;
    // 1. Hyper-parameters, and the map from saved parameter ids to our global indices.
    const { hypers, idToIndex } = this.parseGroups(sd.meta, where);
    // 2. State tensors: known names and ids, matching shapes, complete per parameter.
    const { entries, steps } = this.parseState(sd.tensors, idToIndex, hypers, where);
    // 3. Copy (converted to the parameter's dtype and device), then swap in: nothing has
    //    changed if a copy throws.
    const fresh = T.tidy(() =>
      T.noGrad(() => {
        const out = new Map<number, Map<string, Tensor>>();
        for (const [i, e] of entries) {
          const p = this.paramAt(i);
          const m = new Map<string, Tensor>();
          for (const [name, src] of e) {
            m.set(name, name === 'step' ? T.scalar(steps.get(i)!, 'float64') : T.zerosLike(p).copy_(src)); // () or (shape of p)
          }
          out.set(i, m);
        }
        return out;
      }),
    );
    this.disposeState();
    for (const [i, m] of fresh) {
      for (const t of m.values()) T.keep(t);
      this.state.set(i, { step: steps.get(i) ?? 0, tensors: m });
    }
    hypers.forEach((h, g) => Object.assign(this.paramGroups[g]!, h));
  }

  /** Free the optimizer's state tensors; the optimizer cannot be used afterwards. */
  dispose(): void {
    this.disposeState();
    this.#disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- for subclasses -------------------------------------------------------------------------

  /** State of parameter `i`, created with `init()` (whose tensors are kept) on first use. */
  protected stateFor(i: number, init: () => Record<string, Tensor>): ParamState {
    let s = this.state.get(i);
    if (s === undefined) {
      const tensors = new Map(Object.entries(init()));
      for (const t of tensors.values()) T.keep(t);
      s = { step: 0, tensors };
      this.state.set(i, s);
    }
    return s;
  }

  /** A state entry that must exist (a missing one is a bug in the optimizer, not user error). */
  protected static entry(s: ParamState, name: string): Tensor {
    const t = s.tensors.get(name);
    if (t === undefined) throw new Error(`internal: optimizer state lacks ${name}`);
    return t;
  }

  // ---- internals ------------------------------------------------------------------------------

  private hyperKeys(): (keyof H & string)[] {
    return Object.keys(this.#torchNames) as (keyof H & string)[];
  }

  /** `given` over `defaults`, each option checked to be of its default's kind, then validated. */
  private mergeHyper(given: Partial<H>, defaults: H, where: string): H {
    const g = given as unknown as Record<string, unknown>;
    const d = defaults as unknown as Record<string, unknown>;
    const keys = this.hyperKeys();
    for (const k of Object.keys(g)) {
      if (!(keys as string[]).includes(k)) throw new Error(`${where}: unknown option ${JSON.stringify(k)}; valid options are ${keys.join(', ')}`);
    }
    const merged: Record<string, unknown> = {};
    for (const k of keys) {
      const v = g[k] === undefined ? d[k] : g[k];
      if (!sameKind(v, d[k])) throw new Error(`${where}: option ${k} must be ${kindOf(d[k])}, got ${JSON.stringify(v)}`);
      merged[k] = Array.isArray(v) ? [...(v as number[])] : v;
    }
    const h = merged as unknown as H;
    this.validate(h, where);
    return h;
  }

  private checkParams(params: Tensor[], g: number, seen: Map<Tensor, string>): void {
    params.forEach((p, j) => {
      const where = `${this.name}: parameter ${j} of group ${g}`;
      if (!T.isTensor(p)) throw new TypeError(`${where} is not a Tensor (got ${p === null ? 'null' : typeof p})`);
      if (p.isDisposed) throw new Error(`${where} was disposed`);
      if (!T.isFloating(p.dtype)) throw new Error(`${where} has dtype ${p.dtype}; only floating-point tensors can be optimized`);
      if (!p.isLeaf) {
        throw new Error(`${where} is not a leaf tensor (it was computed from other tensors, so backward() never fills its grad); pass the original parameter`);
      }
      const prev = seen.get(p);
      if (prev !== undefined) throw new Error(`${where} is the same tensor as ${prev}; each parameter may appear only once`);
      seen.set(p, `parameter ${j} of group ${g}`);
    });
  }

  /** Validate the saved `param_groups` against ours; returns their hyper-parameters and id map. */
  private parseGroups(meta: JsonObject, where: string): { hypers: Partial<H>[]; idToIndex: Map<number, number> } {
    if (meta['optimizer'] !== this.name) {
      throw new Error(
        `${where}: the state was saved by ${JSON.stringify(meta['optimizer'] ?? null)}, not ${this.name}; ` +
          `load it into a ${String(meta['optimizer'])} optimizer`,
      );
    }
    const saved = meta['param_groups'];
    if (!Array.isArray(saved) || saved.length !== this.paramGroups.length) {
      throw new Error(
        `${where}: the state has ${Array.isArray(saved) ? saved.length : 'no'} param groups but this optimizer has ${this.paramGroups.length}; ` +
          'build the optimizer with the same groups as the run that saved it',
      );
    }
    const idToIndex = new Map<number, number>();
    const hypers = saved.map((s, g) => {
      const group = this.paramGroups[g]!;
      if (!isJsonObject(s)) throw new Error(`${where}: param_groups[${g}] is not an object`);
      const ids = s['params'];
      if (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id))) {
        throw new Error(`${where}: param_groups[${g}].params must be a list of integer ids`);
      }
      if (ids.length !== group.params.length) {
        throw new Error(
          `${where}: param group ${g} has ${ids.length} parameters in the state but ${group.params.length} in this optimizer; ` +
            'the model or the grouping changed since the state was saved',
        );
      }
      ids.forEach((id, j) => idToIndex.set(id as number, this.#offsets[g]! + j));
      return this.hyperFromJson(s, group, `${where}: param_groups[${g}]`);
    });
    return { hypers, idToIndex };
  }

  /** Group `state.<id>.<name>` tensors by parameter, checking names, shapes, completeness and steps. */
  private parseState(
    tensors: Map<string, Tensor>,
    idToIndex: Map<number, number>,
    hypers: Partial<H>[],
    where: string,
  ): { entries: Map<number, Map<string, Tensor>>; steps: Map<number, number> } {
    const allowed = this.stateNames();
    const entries = new Map<number, Map<string, Tensor>>();
    for (const [key, t] of tensors) {
      const m = STATE_KEY.exec(key);
      if (m === null) throw new Error(`${where}: unexpected tensor ${JSON.stringify(key)}; state tensors are named state.<param index>.<name>`);
      const id = Number(m[1]);
      const name = m[2]!;
      const i = idToIndex.get(id);
      if (i === undefined) throw new Error(`${where}: ${key} refers to parameter id ${id}, which no param group lists`);
      if (!allowed.includes(name)) throw new Error(`${where}: ${key}: ${this.name} has no state entry ${JSON.stringify(name)}; valid entries are ${allowed.join(', ')}`);
      const p = this.paramAt(i);
      if (name === 'step') {
        if (t.numel !== 1) throw new Error(`${where}: ${key} must hold one number, got shape [${t.shape.join(', ')}]`);
      } else if (!sameShape(t.shape, p.shape)) {
        throw new Error(
          `${where}: ${key} has shape [${t.shape.join(', ')}] but parameter ${i} has shape [${p.shape.join(', ')}]; the model changed since the state was saved`,
        );
      } else if (!T.isFloating(t.dtype)) {
        throw new Error(`${where}: ${key} has dtype ${t.dtype}; optimizer state must be floating point`);
      }
      let e = entries.get(i);
      if (e === undefined) entries.set(i, (e = new Map()));
      e.set(name, t);
    }
    const steps = new Map<number, number>();
    for (const [i, e] of entries) {
      const g = this.groupOf(i);
      const missing = this.requiredState({ ...this.paramGroups[g]!, ...hypers[g]! }).filter((n) => !e.has(n));
      if (missing.length > 0) throw new Error(`${where}: parameter ${i} has state but lacks ${missing.map((n) => `state.${i}.${n}`).join(', ')}`);
      const st = e.get('step');
      if (st !== undefined) {
        const n = st.item();
        if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${where}: state.${i}.step must be a non-negative integer, got ${n}`);
        steps.set(i, n);
      }
    }
    return { entries, steps };
  }

  private hyperFromJson(s: JsonObject, group: ParamGroup<H>, where: string): Partial<H> {
    const out: Record<string, unknown> = {};
    const current = group as unknown as Record<string, unknown>;
    for (const k of this.hyperKeys()) {
      const tn = this.#torchNames[k];
      const v = s[tn];
      if (v === undefined) throw new Error(`${where} lacks the hyper-parameter ${tn}`);
      if (!sameKind(v, current[k])) throw new Error(`${where}.${tn} must be ${kindOf(current[k])}, got ${JSON.stringify(v)}`);
      out[k] = Array.isArray(v) ? [...v] : v;
    }
    this.validate({ ...group, ...out } as H, where);
    return out as Partial<H>;
  }

  private groupOf(i: number): number {
    let g = 0;
    while (g + 1 < this.#offsets.length && this.#offsets[g + 1]! <= i) g++;
    return g;
  }

  private paramAt(i: number): Tensor {
    const g = this.groupOf(i);
    return this.paramGroups[g]!.params[i - this.#offsets[g]!]!;
  }

  private disposeState(): void {
    for (const s of this.state.values()) for (const t of s.tensors.values()) t.dispose();
    this.state.clear();
  }

  private assertAlive(what: string): void {
    if (this.#disposed) throw new Error(`${this.name}.${what}(): the optimizer was disposed`);
  }
}

/** `opts` without the keys set to undefined, so spreading it over defaults keeps the defaults. */
export function definedOnly<O extends object>(opts: O): O {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as O;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Whether `v` has the same JSON kind as the default `like` (finite number, flag, tuple of equal length). */
function sameKind(v: unknown, like: unknown): boolean {
  if (typeof like === 'number') return typeof v === 'number' && Number.isFinite(v);
  if (typeof like === 'boolean') return typeof v === 'boolean';
  if (Array.isArray(like)) return Array.isArray(v) && v.length === like.length && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  return false;
}

function kindOf(like: unknown): string {
  if (Array.isArray(like)) return `a list of ${like.length} finite numbers`;
  return typeof like === 'boolean' ? 'a boolean' : 'a finite number';
}
