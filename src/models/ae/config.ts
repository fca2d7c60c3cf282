/**
 * Validation of a model config against its defaults: every key must be one the defaults have
 * (unknown keys throw naming `model.<key>` and listing the valid ones), and every value must have
 * the default's kind (number, boolean, string, list of numbers, list of booleans). Missing keys
 * take the default. Range checks belong to each model's constructor.
 */

type Kind = 'number' | 'boolean' | 'string' | 'number[]' | 'boolean[]';

function kindOf(v: unknown): Kind | null {
  if (typeof v === 'number') return Number.isFinite(v) ? 'number' : null;
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) {
    if (v.every((e) => typeof e === 'number' && Number.isFinite(e))) return 'number[]';
    if (v.every((e) => typeof e === 'boolean')) return 'boolean[]';
  }
  return null;
}

/**
 * `defaults` with the values of `given` (checked). `where` names the config section ('model')
 * and `owner` the thing configured ('ae/conv3d-base').
 *
 * @example
 *   resolveConfig({ a: 1, b: [2] }, { b: [3, 4] }, 'model', 'ae/x');   // { a: 1, b: [3, 4] }
 *   resolveConfig({ a: 1 }, { c: 2 }, 'model', 'ae/x');   // throws "model.c: unknown key for ae/x; valid keys: a"
 */
export function resolveConfig<C extends object>(defaults: C, given: Record<string, unknown>, where: string, owner: string): C {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new Error(`${where}: expected an object of ${owner} settings, got ${JSON.stringify(given)}`);
  }
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  const valid = Object.keys(defaults);
  for (const [key, value] of Object.entries(given)) {
    if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
      throw new Error(`${where}.${key}: unknown key for ${owner}; valid keys: ${valid.join(', ')}`);
    }
    const want = kindOf((defaults as Record<string, unknown>)[key]);
    const got = kindOf(value);
    const emptyList = Array.isArray(value) && value.length === 0 && (want === 'number[]' || want === 'boolean[]');
    if (got !== want && !emptyList) {
      throw new Error(`${where}.${key}: expected ${describeKind(want)}, got ${JSON.stringify(value)}`);
    }
    out[key] = Array.isArray(value) ? [...value] : value;
  }
  return out as C;
}

function describeKind(k: Kind | null): string {
  switch (k) {
    case 'number': return 'a finite number';
    case 'boolean': return 'true or false';
    case 'string': return 'a string';
    case 'number[]': return 'a list of numbers';
    case 'boolean[]': return 'a list of true/false values';
    default: return 'a value of the default kind';
  }
}

/** Require an integer ≥ min for `where.key`. */
export function checkInt(v: number, key: string, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`model.${key}: must be an integer ≥ ${min}, got ${v}`);
}

/** Require a number ≥ 0 for `where.key`. */
export function checkNonNegative(v: number, key: string): void {
  if (!(v >= 0)) throw new Error(`model.${key}: must be ≥ 0, got ${v}`);
}
