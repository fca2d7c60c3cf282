/**
 * A small typed schema validator for config files (no dependency): nested objects, numbers with
 * ranges, integers, enums, strings, booleans, nullable / optional fields and defaults. Unknown
 * keys are rejected. Every problem is reported with its key path and what was expected, all at
 * once:
 *
 *   config.train.lr: expected a number > 0, got "abc"
 *   config.train.stpes: unknown key; valid keys: steps, batchSize, lr, ...
 *
 * @example
 *   const S = s.object({ lr: s.number({ gt: 0 }), steps: s.withDefault(s.int({ min: 1 }), 100) });
 *   parseConfig(S, { lr: 0.1 });            // { lr: 0.1, steps: 100 }
 *   parseConfig(S, { lr: 'abc' });          // throws ConfigError: config.lr: expected a number > 0, got "abc"
 */

/** One problem: where (`config.train.lr`) and what is wrong. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** A config that does not match its schema; `issues` lists every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly issues: ConfigIssue[],
    header = '',
  ) {
    super((header ? `${header}\n  ` : '') + issues.map((i) => `${i.path}: ${i.message}`).join(header ? '\n  ' : '\n'));
    this.name = 'ConfigError';
  }
}

const INVALID: unique symbol = Symbol('invalid');
type Invalid = typeof INVALID;

/** A validator of values of type `V`. */
export interface Schema<V> {
  /** What a valid value looks like, for messages: 'a number > 0', 'one of "random", "bucket"'. */
  readonly expected: string;
  /** The parsed value, or INVALID after pushing issues. */
  parse(value: unknown, path: string, issues: ConfigIssue[]): V | Invalid;
  /** Value used when an object key is absent (a function, so objects are fresh copies). */
  readonly fallback?: () => V;
  /** An absent key is left out (optional field). */
  readonly omittable?: boolean;
}

export type Infer<S> = S extends Schema<infer V> ? V : never;

/** How a value is named in messages: strings quoted, arrays and objects by kind. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return String(v);
}

function leaf<V>(expected: string, test: (v: unknown) => boolean): Schema<V> {
  return {
    expected,
    parse(value, path, issues) {
      if (test(value)) return value as V;
      issues.push({ path, message: `expected ${expected}, got ${describeValue(value)}` });
      return INVALID;
    },
  };
}

export interface NumberRange {
  /** value > gt */
  gt?: number;
  /** value >= ge */
  ge?: number;
  /** value < lt */
  lt?: number;
  /** value <= le */
  le?: number;
}

function rangeText(r: NumberRange): string {
  const parts: string[] = [];
  if (r.gt !== undefined) parts.push(`> ${r.gt}`);
  if (r.ge !== undefined) parts.push(`>= ${r.ge}`);
  if (r.lt !== undefined) parts.push(`< ${r.lt}`);
  if (r.le !== undefined) parts.push(`<= ${r.le}`);
  return parts.join(' and ');
}

function inRange(v: number, r: NumberRange): boolean {
  return (r.gt === undefined || v > r.gt) && (r.ge === undefined || v >= r.ge) && (r.lt === undefined || v < r.lt) && (r.le === undefined || v <= r.le);
}

/** A finite number, optionally within a range. */
function number(range: NumberRange = {}): Schema<number> {
  const r = rangeText(range);
  return leaf(`a number${r ? ` ${r}` : ''}`, (v) => typeof v === 'number' && Number.isFinite(v) && inRange(v, range));
}

/** A safe integer within [min, max]. */
function int(opts: { min?: number; max?: number } = {}): Schema<number> {
  const r = rangeText({ ...(opts.min !== undefined ? { ge: opts.min } : {}), ...(opts.max !== undefined ? { le: opts.max } : {}) });
  return leaf(`an integer${r ? ` ${r}` : ''}`, (v) => typeof v === 'number' && Number.isSafeInteger(v) && inRange(v, { ge: opts.min, le: opts.max }));
}

function string(opts: { nonEmpty?: boolean } = {}): Schema<string> {
  return leaf(opts.nonEmpty ? 'a non-empty string' : 'a string', (v) => typeof v === 'string' && (!opts.nonEmpty || v.length > 0));
}

function boolean(): Schema<boolean> {
  return leaf('true or false', (v) => typeof v === 'boolean');
}

/** One of a fixed list of strings or numbers. */
function oneOf<const L extends string | number>(values: readonly L[]): Schema<L> {
  return leaf(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, (v) => values.includes(v as L));
}

/** `null` or a value of `inner`. */
function nullable<V>(inner: Schema<V>): Schema<V | null> {
  return {
    expected: `${inner.expected} or null`,
    parse(value, path, issues) {
      if (value === null) return null;
      const sub: ConfigIssue[] = [];
      const r = inner.parse(value, path, sub);
      if (r !== INVALID) return r;
      // Re-word the leaf message so it says null is allowed too.
      for (const i of sub) issues.push(i.path === path ? { path, message: `expected ${inner.expected} or null, got ${describeValue(value)}` } : i);
      return INVALID;
    },
  };
}

/** The key may be absent (it is then left out of the result). */
function optional<V>(inner: Schema<V>): Schema<V | undefined> {
  return { expected: inner.expected, parse: (v, p, i) => inner.parse(v, p, i), omittable: true };
}

/** The key may be absent; `value` is used then. */
function withDefault<V>(inner: Schema<V>, value: V): Schema<V> {
  const copy = (): V => (value !== null && typeof value === 'object' ? (structuredClone(value) as V) : value);
  return { expected: inner.expected, parse: (v, p, i) => inner.parse(v, p, i), fallback: copy };
}

type Shape = Record<string, Schema<unknown>>;
type ObjectOf<S extends Shape> = { [K in keyof S]: Infer<S[K]> };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A JSON object with exactly these keys (absent ones need a default or `optional`). */
function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  const keys = Object.keys(shape);
  return {
    expected: 'an object',
    parse(value, path, issues) {
      if (!isPlainObject(value)) {
        issues.push({ path, message: `expected an object with keys ${keys.join(', ')}, got ${describeValue(value)}` });
        return INVALID;
      }
      const out: Record<string, unknown> = {};
      let ok = true;
      for (const k of Object.keys(value)) {
        if (!Object.hasOwn(shape, k)) {
          issues.push({ path: `${path}.${k}`, message: `unknown key; valid keys: ${keys.join(', ')}` });
          ok = false;
        }
      }
      for (const k of keys) {
        const field = shape[k]!;
        const v = value[k];
        if (v === undefined) {
          if (field.fallback) out[k] = field.fallback();
          else if (!field.omittable) {
            issues.push({ path: `${path}.${k}`, message: `missing; expected ${field.expected}` });
            ok = false;
          }
          continue;
        }
        const r = field.parse(v, `${path}.${k}`, issues);
        if (r === INVALID) ok = false;
        else out[k] = r;
      }
      return ok ? (out as ObjectOf<S>) : INVALID;
    },
  };
}

/** Any JSON object, passed through (a section validated elsewhere, e.g. by a model). */
function anyObject(): Schema<Record<string, unknown>> {
  return leaf('an object', isPlainObject);
}

/** The schema builders. */
export const s = { number, int, string, boolean, oneOf, nullable, optional, withDefault, object, anyObject };

/**
 * Validate `value` against `schema`; throws a ConfigError listing every problem, each prefixed
 * by its key path from `root` (default 'config'), after `header` when given.
 */
export function parseConfig<V>(schema: Schema<V>, value: unknown, opts: { root?: string; header?: string } = {}): V {
  const issues: ConfigIssue[] = [];
  const r = schema.parse(value, opts.root ?? 'config', issues);
  if (r === INVALID || issues.length > 0) throw new ConfigError(issues, opts.header);
  return r;
}
