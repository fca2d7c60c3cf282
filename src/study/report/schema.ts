/**
 * A validator for the subset of JSON Schema (draft-07, https://json-schema.org/draft-07/json-schema-validation)
 * that `schemas/study-results.schema.json` uses, driven by the schema document itself so that the
 * checked-in schema is what is enforced.
 *
 * Keywords: type (a name or an array of names; "integer" = a number with no fraction), const,
 * enum, required, properties, additionalProperties (false or a schema), items (one schema for
 * every element), minItems, minimum, minLength (in code points), pattern (ECMAScript, unicode),
 * $ref (JSON pointers into the same document, e.g. "#/definitions/interval"), oneOf, and
 * format "date-time" (RFC 3339 section 5.6). Annotations ($schema, $id, title, description,
 * definitions, default, examples, $comment) are ignored. Any other keyword is an error when the
 * schema is compiled, so a schema can never ask for a check this validator silently skips.
 */

/** A JSON Schema node as read from the file. */
export type SchemaNode = { [keyword: string]: unknown } | boolean;

const CHECKED = new Set(['type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'minItems',
  'minimum', 'minLength', 'pattern', '$ref', 'oneOf', 'format']);
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'definitions', 'default', 'examples', '$comment']);
const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

/** RFC 3339 date-time: full-date "T" full-time with a required offset (Z or ±hh:mm). */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A compiled schema: `validate(value)` returns one message per problem, each starting with its JSON pointer. */
export interface CompiledSchema {
  validate(value: unknown): string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON type names `v` satisfies (a whole number is both "number" and "integer"). */
function typesOf(v: unknown): string[] {
  if (v === null) return ['null'];
  if (Array.isArray(v)) return ['array'];
  if (typeof v === 'number') return Number.isInteger(v) ? ['number', 'integer'] : Number.isFinite(v) ? ['number'] : [];
  if (typeof v === 'object') return ['object'];
  return [typeof v];
}

/** Structural equality of JSON values (for const and enum). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** A value as it appears in a message: JSON, shortened. */
function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m) return false;
  const [mo, d, h, mi, sec] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && sec <= 60 && !Number.isNaN(Date.parse(s));
}

/** Resolve a "#/a/b" pointer inside the root document (RFC 6901 escapes ~0 and ~1). */
function resolveRef(root: SchemaNode, ref: string, at: string): SchemaNode {
  if (!ref.startsWith('#')) throw new Error(`schema ${at}: $ref '${ref}' is not a pointer into this document (only '#/...' is supported)`);
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !(key in node)) throw new Error(`schema ${at}: $ref '${ref}' points at nothing`);
    node = node[key];
  }
  if (!isObject(node) && typeof node !== 'boolean') throw new Error(`schema ${at}: $ref '${ref}' is not a schema`);
  return node as SchemaNode;
}

/** Check that every keyword in the schema tree is one we enforce or an annotation. */
function checkKeywords(root: SchemaNode, node: unknown, at: string): void {
  if (typeof node === 'boolean') return;
  if (!isObject(node)) throw new Error(`schema ${at}: expected a schema object, got ${show(node)}`);
  for (const [k, v] of Object.entries(node)) {
    if (!CHECKED.has(k) && !ANNOTATIONS.has(k)) {
      throw new Error(`schema ${at}: keyword '${k}' is not supported by this validator; supported: ${[...CHECKED].join(', ')}`);
    }
    if (k === 'properties' || k === 'definitions') {
      for (const [name, sub] of Object.entries(v as Record<string, unknown>)) checkKeywords(root, sub, `${at}/${k}/${name}`);
    } else if (k === 'additionalProperties' || k === 'items') checkKeywords(root, v, `${at}/${k}`);
    else if (k === 'oneOf') (v as unknown[]).forEach((sub, i) => checkKeywords(root, sub, `${at}/oneOf/${i}`));
    else if (k === '$ref') resolveRef(root, String(v), at);
    else if (k === 'type') {
      for (const t of Array.isArray(v) ? v : [v]) if (!TYPES.has(t as string)) throw new Error(`schema ${at}: unknown type ${show(t)}`);
    } else if (k === 'format' && v !== 'date-time') throw new Error(`schema ${at}: format ${show(v)} is not supported (only date-time)`);
  }
}

/** Validate `value` against `node`; problems are pushed onto `out` with their JSON pointer. */
function check(root: SchemaNode, node: SchemaNode, value: unknown, path: string, out: string[]): void {
  const where = path || '/';
  if (node === true) return;
  if (node === false) { out.push(`${where}: no value is allowed here`); return; }
  if (typeof node.$ref === 'string') check(root, resolveRef(root, node.$ref, where), value, path, out);
  if (node.type !== undefined) {
    const want = (Array.isArray(node.type) ? node.type : [node.type]) as string[];
    const have = typesOf(value);
    if (!want.some((t) => have.includes(t))) {
      out.push(`${where}: must be ${want.join(' or ')}, got ${have[have.length - 1] ?? typeof value} ${show(value)}`);
      return; // other keywords would only repeat the same problem
    }
  }
  if ('const' in node && !jsonEqual(value, node.const)) out.push(`${where}: must be ${show(node.const)}, got ${show(value)}`);
  if (Array.isArray(node.enum) && !node.enum.some((e) => jsonEqual(value, e))) {
    out.push(`${where}: must be one of ${node.enum.map(show).join(', ')}, got ${show(value)}`);
  }
  if (typeof value === 'number' && typeof node.minimum === 'number' && value < node.minimum) {
    out.push(`${where}: must be >= ${node.minimum}, got ${value}`);
  }
  if (typeof value === 'string') checkString(node, value, where, out);
  if (Array.isArray(value)) checkArray(root, node, value, path, out);
  if (isObject(value)) checkObject(root, node, value, path, out);
  if (Array.isArray(node.oneOf)) checkOneOf(root, node.oneOf as SchemaNode[], value, path, out);
}

function checkString(node: Record<string, unknown>, value: string, where: string, out: string[]): void {
  if (typeof node.minLength === 'number' && [...value].length < node.minLength) {
    out.push(`${where}: must have at least ${node.minLength} character(s), got ${show(value)}`);
  }
  if (typeof node.pattern === 'string' && !new RegExp(node.pattern, 'u').test(value)) {
    out.push(`${where}: must match ${node.pattern}, got ${show(value)}`);
  }
  if (node.format === 'date-time' && !isDateTime(value)) {
    out.push(`${where}: must be an RFC 3339 date-time such as 2025-01-31T12:00:00Z, got ${show(value)}`);
  }
}

function checkArray(root: SchemaNode, node: Record<string, unknown>, value: unknown[], path: string, out: string[]): void {
  if (typeof node.minItems === 'number' && value.length < node.minItems) {
    out.push(`${path || '/'}: must have at least ${node.minItems} item(s), got ${value.length}`);
  }
  if (node.items !== undefined) value.forEach((v, i) => check(root, node.items as SchemaNode, v, `${path}/${i}`, out));
}

function checkObject(root: SchemaNode, node: Record<string, unknown>, value: Record<string, unknown>, path: string, out: string[]): void {
  const props = (node.properties ?? {}) as Record<string, SchemaNode>;
  if (Array.isArray(node.required)) {
    for (const k of node.required as string[]) if (!(k in value)) out.push(`${path || '/'}: missing required property '${k}'`);
  }
  for (const [k, v] of Object.entries(value)) {
    const p = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (k in props) check(root, props[k]!, v, p, out);
    else if (node.additionalProperties === false) {
      out.push(`${path || '/'}: unexpected property '${k}' (allowed: ${Object.keys(props).join(', ') || 'none'})`);
    } else if (node.additionalProperties !== undefined) check(root, node.additionalProperties as SchemaNode, v, p, out);
  }
}

function checkOneOf(root: SchemaNode, branches: SchemaNode[], value: unknown, path: string, out: string[]): void {
  const results = branches.map((b) => { const o: string[] = []; check(root, b, value, path, o); return o; });
  const passing = results.filter((r) => r.length === 0).length;
  if (passing === 1) return;
  if (passing > 1) { out.push(`${path || '/'}: matches ${passing} of the oneOf alternatives, must match exactly one`); return; }
  out.push(`${path || '/'}: matches none of the ${branches.length} alternatives: ${results.map((r, i) => `(${i + 1}) ${r[0]}`).join('; ')}`);
}

/**
 * Compile a schema document (checks its keywords and $refs up front).
 * @example compileSchema({ type: 'integer', minimum: 1 }).validate(0) // ['/: must be >= 1, got 0']
 */
export function compileSchema(schema: SchemaNode): CompiledSchema {
  checkKeywords(schema, schema, '#');
  return {
    validate(value: unknown): string[] {
      const out: string[] = [];
      check(schema, schema, value, '', out);
      return out;
    },
  };
}
