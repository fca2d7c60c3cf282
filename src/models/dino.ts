// PLACEHOLDER: replaced by its owner before merge. Signature agreed across the metrics work.
import type { FrameEncoder } from '../metrics/types.js';

export async function loadDino(dir: string): Promise<FrameEncoder> {
  throw new Error(`loadDino('${dir}') is not implemented yet`);
}
