/**
 * Tensors in and out of safetensors files: the bridge between the engine and src/io/safetensors.
 * Keys are kept as given (PyTorch-style dotted names), so files move between t2vlab and PyTorch.
 */
import { fromBytes, toBytes, type Tensor, type DType } from '../tensor/index.js';
import { readSafetensors, writeSafetensors, type RawTensor, type SafeDType } from './safetensors.js';

const TO_SAFE: Record<DType, SafeDType> = {
  float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
const FROM_SAFE: Record<SafeDType, DType> = {
  F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

export function tensorToRaw(t: Tensor): RawTensor {
  return { dtype: TO_SAFE[t.dtype], shape: t.shape, data: toBytes(t) };
}

/** A new Tensor (owned by the caller) from a safetensors record. */
export function rawToTensor(r: RawTensor): Tensor {
  return fromBytes(r.data, FROM_SAFE[r.dtype], r.shape);
}

/** Write named tensors to a safetensors file, atomically. The tensors stay owned by the caller. */
export function saveTensors(path: string, tensors: Map<string, Tensor>, metadata?: Record<string, string>): void {
  const raw = new Map<string, RawTensor>();
  for (const [k, t] of tensors) raw.set(k, tensorToRaw(t));
  writeSafetensors(path, raw, metadata);
}

/** Read every tensor of a safetensors file; the returned tensors are owned by the caller. */
export function loadTensors(path: string): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const { tensors, metadata } = readSafetensors(path);
  const out = new Map<string, Tensor>();
  for (const [k, r] of tensors) out.set(k, rawToTensor(r));
  return { tensors: out, metadata };
}
