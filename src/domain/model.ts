// PLACEHOLDER: replaced by its owner before merge. Signature agreed across the metrics work.
import type { FrameEncoder, TextEncoder, VideoEncoder } from '../metrics/types.js';

export async function loadDomainModel(dir: string): Promise<FrameEncoder & TextEncoder & VideoEncoder> {
  throw new Error(`loadDomainModel('${dir}') is not implemented yet`);
}
