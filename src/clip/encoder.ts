// PLACEHOLDER: replaced by its owner before merge. Signature agreed across the metrics work.
import type { FrameEncoder, TextEncoder } from '../metrics/types.js';

export async function loadClipEncoder(dir: string): Promise<FrameEncoder & TextEncoder> {
  throw new Error(`loadClipEncoder('${dir}') is not implemented yet`);
}
