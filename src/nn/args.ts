/**
 * Argument helpers shared by the layers: PyTorch's `_pair` / `_triple` (torch/nn/modules/utils.py)
 * and checks that turn a bad constructor argument into an error naming the layer and the value.
 */

/** Expand `v` to `n` values (a number repeats; an array must already have length n). */
export function ntuple(v: number | readonly number[], n: number, what: string): number[] {
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (v.length !== n) throw new Error(`${what}: expected ${n} values (one per spatial dimension), got [${v.join(', ')}]`);
  return [...v];
}

/** Throw unless `v` is an integer ≥ `min`. */
export function checkInt(v: number, what: string, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${what} must be an integer ≥ ${min}, got ${v}`);
}

/** Throw unless every entry is an integer ≥ `min`. */
export function checkInts(v: readonly number[], what: string, min = 1): void {
  if (!v.every((x) => Number.isInteger(x) && x >= min)) {
    throw new Error(`${what} must be integers ≥ ${min}, got [${v.join(', ')}]`);
  }
}

/** Throw unless `p` is a probability in [0, 1]. */
export function checkProbability(p: number, what: string): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`${what} must be a probability in [0, 1], got ${p}`);
}

/** PyTorch's repr of a boolean (`bias=True`). */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** PyTorch's repr of a tuple (`(3, 3)`). */
export function pyTuple(v: readonly number[]): string {
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`;
}

/** The fields PyTorch's `_ConvNd.extra_repr` prints (conv and transposed conv alike). */
export interface ConvReprFields {
  inChannels: number;
  outChannels: number;
  kernelSize: number[];
  stride: number[];
  padding: number[] | string;
  /** Transposed convolutions only. */
  outputPadding?: number[];
  dilation: number[];
  groups: number;
  hasBias: boolean;
}

/** `_ConvNd.extra_repr`: non-default padding, output_padding, dilation, groups and bias only. */
export function convExtraRepr(c: ConvReprFields): string {
  let s = `${c.inChannels}, ${c.outChannels}, kernel_size=${pyTuple(c.kernelSize)}, stride=${pyTuple(c.stride)}`;
  if (typeof c.padding === 'string') s += `, padding=${c.padding}`;
  else if (c.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(c.padding)}`;
  if (c.outputPadding?.some((p) => p !== 0)) s += `, output_padding=${pyTuple(c.outputPadding)}`;
  if (c.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(c.dilation)}`;
  if (c.groups !== 1) s += `, groups=${c.groups}`;
  if (!c.hasBias) s += `, bias=${pyBool(false)}`;
  return s;
}
