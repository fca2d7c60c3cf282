/**
 * Validation of a study's `results.json`: first against the checked-in JSON Schema
 * (`schemas/study-results.schema.json`, enforced by ./schema.ts), then the cross-references the
 * schema cannot express (runs and aggregates name known methods and metrics, intervals are
 * ordered low <= mean <= high, ids are unique).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StudyResults } from '../results.js';
import { compileSchema, type CompiledSchema, type SchemaNode } from './schema.js';

const SCHEMA_FILE = 'schemas/study-results.schema.json';

/** A results.json that cannot be rendered; `problems` lists every reason, one per entry. */
export class StudyResultsError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file} is not a valid study results file (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
      problems.map((p) => `  - ${p}`).join('\n') +
      `\nIt must follow ${SCHEMA_FILE}; re-run \`t2v study\` to rewrite it, or fix the entries above.`);
    this.name = 'StudyResultsError';
  }
}

/** The schema file of the checked-in repository (found by walking up from this module). */
export function studySchemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, SCHEMA_FILE);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find ${SCHEMA_FILE} above ${fileURLToPath(import.meta.url)}; is the t2vlab checkout complete?`);
    dir = up;
  }
}

let compiled: CompiledSchema | undefined;

function schema(): CompiledSchema {
  compiled ??= compileSchema(JSON.parse(readFileSync(studySchemaPath(), 'utf8')) as SchemaNode);
  return compiled;
}

/** Problems of an object that already passed the schema: unknown names, disordered intervals, duplicates. */
function crossCheck(r: StudyResults): string[] {
  const out: string[] = [];
  const dupes = (xs: readonly (string | number)[]) => [...new Set(xs.filter((x, i) => xs.indexOf(x) !== i))];
  for (const d of dupes(r.methods.map((m) => m.id))) out.push(`/methods: method id '${d}' appears more than once`);
  for (const d of dupes(r.metrics.map((m) => m.name))) out.push(`/metrics: metric '${d}' appears more than once`);
  for (const d of dupes(r.seeds)) out.push(`/seeds: seed ${d} appears more than once`);
  const methods = new Set(r.methods.map((m) => m.id));
  const metrics = new Set(r.metrics.map((m) => m.name));
  const known = (set: Set<string>, name: string, what: string, at: string) => {
    if (!set.has(name)) out.push(`${at}: unknown ${what} '${name}' (known: ${[...set].join(', ')})`);
  };
  r.runs.forEach((run, i) => {
    known(methods, run.method, 'method', `/runs/${i}/method`);
    if (!r.seeds.includes(run.seed)) out.push(`/runs/${i}/seed: seed ${run.seed} is not in /seeds (${r.seeds.join(', ')})`);
    for (const k of Object.keys(run.metrics)) known(metrics, k, 'metric', `/runs/${i}/metrics`);
  });
  for (const [m, byMetric] of Object.entries(r.aggregates)) {
    known(methods, m, 'method', '/aggregates');
    for (const [k, iv] of Object.entries(byMetric)) {
      const at = `/aggregates/${m}/${k}`;
      known(metrics, k, 'metric', at);
      if (!iv) continue;
      if (!(iv.low <= iv.mean && iv.mean <= iv.high)) out.push(`${at}: interval must satisfy low <= mean <= high, got low ${iv.low}, mean ${iv.mean}, high ${iv.high}`);
      if (iv.n > r.seeds.length) out.push(`${at}: interval over n = ${iv.n} runs but the study has ${r.seeds.length} seed(s)`);
    }
  }
  for (const k of Object.keys(r.ceilings)) known(metrics, k, 'metric', '/ceilings');
  for (const m of Object.keys(r.assets.samples)) known(methods, m, 'method', '/assets/samples');
  return out;
}

/**
 * Every problem with a parsed results.json, one message each (empty when it is valid).
 * @example validateStudyResults({}) // ["/: missing required property 'format'", ...]
 */
export function validateStudyResults(obj: unknown): string[] {
  const problems = schema().validate(obj);
  return problems.length > 0 ? problems : crossCheck(obj as StudyResults);
}

/** Read, parse and validate `<studyDir>/results.json`; throws StudyResultsError naming every problem. */
export function loadStudyResults(file: string): StudyResults {
  if (!existsSync(file)) {
    throw new StudyResultsError(file, ['the file does not exist; run `t2v study --out DIR` first (it writes results.json when its evaluations finish)']);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StudyResultsError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  const problems = validateStudyResults(obj);
  if (problems.length > 0) throw new StudyResultsError(file, problems);
  return obj as StudyResults;
}
