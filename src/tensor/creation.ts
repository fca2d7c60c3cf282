/**
 * Creating tensors from JavaScript data. (Filled and random tensors — zeros, ones, randn, … —
 * are generated wrappers in ops.generated.ts.)
 */
import { native } from './native.js';
import { Tensor } from './tensor.js';
import { BYTES_PER_ELEMENT, dtypeCode, type AnyTypedArray, type DType } from './dtype.js';

export interface CreateOptions {
  dtype?: DType;
  shape?: number[];
  device?: string;
  requiresGrad?: boolean;
}

type Nested = number | boolean | Nested[];

function flatten(data: Nested, shape: number[], out: number[], depth: number): void {
  if (Array.isArray(data)) {
    if (shape.length <= depth) shape.push(data.length);
    else if (shape[depth] !== data.length) throw new Error(`ragged nested array: expected length ${shape[depth]} at depth ${depth}, got ${data.length}`);
    for (const d of data) flatten(d, shape, out, depth + 1);
  } else {
    if (depth !== shape.length) throw new Error('ragged nested array: a number where a list was expected');
    out.push(typeof data === 'boolean' ? (data ? 1 : 0) : data);
  }
}

function inferDType(a: AnyTypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  throw new Error('Uint16Array needs an explicit dtype: float16 or bfloat16');
}

function encode(values: number[], dtype: DType): ArrayBufferView {
  switch (dtype) {
    case 'float32': return Float32Array.from(values);
    case 'float64': return Float64Array.from(values);
    case 'int64': return BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)));
    case 'int32': return Int32Array.from(values);
    case 'int16': return Int16Array.from(values);
    case 'int8': return Int8Array.from(values);
    case 'uint8': return Uint8Array.from(values);
    case 'bool': return Uint8Array.from(values, (v) => (v ? 1 : 0));
    case 'float16':
    case 'bfloat16':
      throw new Error(`create a ${dtype} tensor from float32 data and convert it with .toDType('${dtype}')`);
  }
}

/**
 * A new tensor holding a copy of `data` (a nested array of numbers, or a typed array with
 * `opts.shape`). Default dtype: float32 for numbers, the array's own type for typed arrays.
 *
 * @example
 *   tensor([[1, 2], [3, 4]]).shape          // [2, 2]
 *   tensor(new Uint8Array(12), { shape: [3, 4] }).dtype   // 'uint8'
 */
export function tensor(data: Nested | AnyTypedArray, opts: CreateOptions = {}): Tensor {
  let bytes: ArrayBufferView;
  let shape: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(data)) {
    const ta = data as AnyTypedArray;
    dtype = opts.dtype ?? inferDType(ta);
    shape = opts.shape ?? [ta.length];
    const n = shape.reduce((a, b) => a * b, 1);
    if (ta.byteLength !== n * BYTES_PER_ELEMENT[dtype]) {
      throw new Error(`typed array of ${ta.byteLength} bytes does not fit shape [${shape.join(', ')}] of ${dtype}`);
    }
    bytes = ta;
  } else {
    const values: number[] = [];
    shape = [];
    flatten(data, shape, values, 0);
    dtype = opts.dtype ?? (typeof data === 'boolean' ? 'bool' : 'float32');
    if (opts.shape) {
      const n = opts.shape.reduce((a, b) => a * b, 1);
      if (n !== values.length) throw new Error(`${values.length} values do not fit shape [${opts.shape.join(', ')}]`);
      shape = opts.shape;
    }
    bytes = encode(values, dtype);
  }
  const t = new Tensor(native.fromBuffer(bytes, dtypeCode(dtype), shape, opts.device));
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** A 0-dimensional tensor. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return tensor(value, { dtype });
}

/** A tensor from raw little-endian bytes (e.g. a safetensors payload). Copies. */
export function fromBytes(bytes: Uint8Array, dtype: DType, shape: number[]): Tensor {
  return new Tensor(native.fromBuffer(bytes, dtypeCode(dtype), shape));
}

/** The tensor's elements as raw little-endian bytes (contiguous, CPU). Copies. */
export function toBytes(t: Tensor): Uint8Array {
  return new Uint8Array(native.toBuffer(t.handle));
}
