/**
 * `Tensor`: owns exactly one native handle. Free it with `dispose()` (or `using t = ...`), or
 * create it inside `tidy()` which frees it for you. Operators are attached to the prototype by
 * the generated wrappers (ops.generated.ts); this file holds the handwritten core: metadata,
 * copies out, autograd and disposal.
 */
import { native } from './native.js';
import { dtypeFromCode, typedView, type AnyTypedArray, type DType } from './dtype.js';
import { setTensorCheck, track, untrack } from './scope.js';

if (typeof Symbol.dispose !== 'symbol') {
  // Node 20 before 20.4 lacks the well-known symbol; TypeScript's `using` looks it up by name.
  (Symbol as unknown as { dispose: symbol }).dispose = Symbol.for('Symbol.dispose');
}

/** Optional leak reporting (T2V_LEAK_CHECK=1): warns when a Tensor is garbage-collected undisposed. */
const leakRegistry =
  process.env.T2V_LEAK_CHECK === '1'
    ? new FinalizationRegistry<string>((where) => {
        process.emitWarning(`t2vlab: a tensor was garbage-collected without dispose(); created at\n${where}`, 'TensorLeak');
      })
    : null;

export interface BackwardOptions {
  /** Gradient of the output (needed when the output is not a scalar). */
  gradient?: Tensor;
  retainGraph?: boolean;
  createGraph?: boolean;
}

export class Tensor {
  #handle: number;

  /** Wrap a native handle; the new Tensor owns it. Internal: use the creation functions. */
  constructor(handle: number) {
    if (!Number.isInteger(handle) || handle <= 0) throw new Error(`invalid tensor handle ${handle}`);
    this.#handle = handle;
    track(this);
    if (leakRegistry) leakRegistry.register(this, new Error().stack ?? '', this);
  }

  /** The native handle (for generated wrappers). Throws if disposed. */
  get handle(): number {
    if (this.#handle === 0) throw new Error('tensor used after dispose() (or after its tidy() scope ended)');
    return this.#handle;
  }

  get isDisposed(): boolean {
    return this.#handle === 0;
  }

  dispose(): void {
    if (this.#handle === 0) return;
    native.free(this.#handle);
    this.#handle = 0;
    untrack(this);
    leakRegistry?.unregister(this);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- metadata ---------------------------------------------------------------------------

  get shape(): number[] {
    return native.shape(this.handle);
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get dtype(): DType {
    return dtypeFromCode(native.dtype(this.handle));
  }
  get device(): string {
    return native.meta(this.handle)[2];
  }
  get isContiguous(): boolean {
    return native.meta(this.handle)[4];
  }
  get isLeaf(): boolean {
    return native.meta(this.handle)[5];
  }
  /** Size of one dimension; negative indices count from the end. */
  size(dim: number): number {
    const s = this.shape;
    const d = dim < 0 ? s.length + dim : dim;
    const v = s[d];
    if (v === undefined) throw new Error(`dimension ${dim} out of range for a tensor of shape [${s.join(', ')}]`);
    return v;
  }

  // ---- copies out -------------------------------------------------------------------------

  /** A copy of the elements as a typed array (row-major, on the CPU). */
  toTypedArray(): AnyTypedArray {
    return typedView(this.dtype, native.toBuffer(this.handle));
  }
  /** Elements as plain numbers (int64 converted with Number(); bool as 0/1). */
  toArray(): number[] {
    const a = this.toTypedArray();
    if (a instanceof BigInt64Array) return Array.from(a, (v) => Number(v));
    if (this.dtype === 'float16' || this.dtype === 'bfloat16') {
      using f = this.toDType('float32');
      return Array.from(f.toTypedArray() as Float32Array);
    }
    return Array.from(a as ArrayLike<number>);
  }
  /** Float32 copy of the elements (converting other dtypes). */
  toFloat32Array(): Float32Array {
    if (this.dtype === 'float32') return this.toTypedArray() as Float32Array;
    using f = this.toDType('float32');
    return f.toTypedArray() as Float32Array;
  }
  /** The single element of a one-element tensor. */
  item(): number {
    return native.item(this.handle);
  }

  // ---- autograd ---------------------------------------------------------------------------

  get requiresGrad(): boolean {
    return native.meta(this.handle)[3];
  }
  /** Set requires_grad in place; returns this. */
  requiresGrad_(on = true): this {
    native.setRequiresGrad(this.handle, on);
    return this;
  }
  /** The accumulated gradient as a new Tensor (sharing storage), or null. */
  get grad(): Tensor | null {
    const h = native.grad(this.handle);
    return h === null ? null : new Tensor(h);
  }
  /** Replace the gradient (null clears it, as PyTorch's zero_grad(set_to_none=True)). */
  setGrad(g: Tensor | null): void {
    native.setGrad(this.handle, g === null ? null : g.handle);
  }
  backward(opts: BackwardOptions = {}): void {
    native.backward(this.handle, opts.gradient ? opts.gradient.handle : null, opts.retainGraph ?? null, opts.createGraph ?? false);
  }

  toString(): string {
    if (this.isDisposed) return 'Tensor(<disposed>)';
    const n = this.numel;
    const head = n <= 8 ? `[${this.toArray().map((v) => +v.toPrecision(5)).join(', ')}]` : `<${n} elements>`;
    return `Tensor(${this.dtype}[${this.shape.join(', ')}] ${this.device} ${head})`;
  }
}

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}
setTensorCheck(isTensor);

/** Wrap a native result that is a tensor handle. */
export function wrap(v: unknown): Tensor {
  if (typeof v !== 'number') throw new Error(`expected a tensor from the native op, got ${v === null ? 'None' : typeof v}`);
  return new Tensor(v);
}
/** Wrap a native result that is an optional tensor. */
export function wrapOpt(v: unknown): Tensor | null {
  return v === null || v === undefined ? null : wrap(v);
}
/** Wrap a native list of tensor handles. */
export function wrapList(v: unknown): Tensor[] {
  if (!Array.isArray(v)) throw new Error('expected a list of tensors from the native op');
  return v.map(wrap);
}

/** Live native tensors (handles not yet freed): the leak check reads this. */
export function liveTensors(): number {
  return native.liveCount();
}
