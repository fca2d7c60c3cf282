// PLACEHOLDER: replaced by its owner before merge. Signature agreed across the metrics work.
import type { VideoEncoder } from '../metrics/types.js';

export async function loadI3d(dir: string): Promise<VideoEncoder> {
  throw new Error(`loadI3d('${dir}') is not implemented yet`);
}
