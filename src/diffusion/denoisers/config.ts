/**
 * Resolving a denoiser's hyper-parameters: defaults overridden by the given keys, each checked
 * against its default's kind (number, boolean, string, number list). Unknown keys throw naming
 * `model.<key>` and the valid ones, so a typo in a config file is caught before training.
 */
export type ConfigValue = number | boolean | string | number[];

export function resolveConfig<C extends Record<string, ConfigValue>>(defaults: C, given: Record<string, unknown>, who: string): C {
  const out: Record<string, ConfigValue> = { ...defaults };
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined) continue;
    if (!(k in defaults)) throw new Error(`${who}: unknown option model.${k}; valid: ${Object.keys(defaults).join(', ')}`);
    const d = defaults[k]!;
    const ok = Array.isArray(d) ? Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)) : typeof v === typeof d && (typeof v !== 'number' || Number.isFinite(v));
    if (!ok) throw new Error(`${who}: model.${k} must be ${Array.isArray(d) ? 'a list of numbers' : `a ${typeof d}`}, got ${JSON.stringify(v)}`);
    out[k] = Array.isArray(v) ? [...(v as number[])] : (v as ConfigValue);
  }
  return out as C;
}

/** A positive integer or a readable error. */
export function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${what} must be a positive integer, got ${v}`);
  return v;
}
