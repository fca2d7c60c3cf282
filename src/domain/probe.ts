// PLACEHOLDER: replaced by its owner before merge. Signature agreed across the metrics work.
import type { AttributeProbe } from '../metrics/types.js';

export async function loadAttributeProbe(dir: string): Promise<AttributeProbe> {
  throw new Error(`loadAttributeProbe('${dir}') is not implemented yet`);
}
