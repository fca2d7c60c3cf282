import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileSchema, type SchemaNode } from '../../../src/study/report/schema.js';
import { studySchemaPath, validateStudyResults } from '../../../src/study/report/validate.js';
import type { StudyResults } from '../../../src/study/results.js';
import { fixtureResults } from '../fixture.js';

/** A fresh valid results object with `edit` applied (the edit may make it invalid). */
function edited(edit: (r: Record<string, unknown> & StudyResults) => void): unknown {
  const r = fixtureResults() as Record<string, unknown> & StudyResults;
  edit(r);
  return JSON.parse(JSON.stringify(r));
}

test('validateStudyResults accepts the fixture results', () => {
  assert.deepEqual(validateStudyResults(fixtureResults()), []);
});

test('validateStudyResults: a missing required key is named with its path', () => {
  const errs = validateStudyResults(edited((r) => { delete (r as Partial<StudyResults>).createdAt; }));
  assert.deepEqual(errs, ["/: missing required property 'createdAt'"]);
  const nested = validateStudyResults(edited((r) => { delete (r.methods[1] as Partial<StudyResults['methods'][0]>).budget; }));
  assert.deepEqual(nested, ["/methods/1: missing required property 'budget'"]);
});

test('validateStudyResults: a value outside an enum or const is rejected', () => {
  assert.deepEqual(validateStudyResults(edited((r) => { (r as { preset: string }).preset = 'huge'; })),
    ['/preset: must be one of "micro", "quick", "paper", got "huge"']);
  assert.deepEqual(validateStudyResults(edited((r) => { (r.methods[0] as { family: string }).family = 'mixed'; })),
    ['/methods/0/family: must be one of "joint", "specialised", "reference", got "mixed"']);
  assert.deepEqual(validateStudyResults(edited((r) => { (r as { version: number }).version = 2; })), ['/version: must be 1, got 2']);
});

test('validateStudyResults: an extra property is rejected where additionalProperties is false', () => {
  assert.deepEqual(validateStudyResults(edited((r) => { r.extra = 1; })).length, 1);
  assert.match(validateStudyResults(edited((r) => { r.extra = 1; }))[0]!, /^\/: unexpected property 'extra'/);
  assert.match(validateStudyResults(edited((r) => { (r.methods[2] as unknown as Record<string, unknown>).colour = 'red'; }))[0]!,
    /^\/methods\/2: unexpected property 'colour'/);
});

test('validateStudyResults: bad intervals (missing n, n < 1, low > mean) are rejected', () => {
  const missingN = validateStudyResults(edited((r) => { delete (r.aggregates['joint-fixed']!.clipsim as Partial<{ n: number }>).n; }));
  assert.equal(missingN.length, 1);
  assert.match(missingN[0]!, /^\/aggregates\/joint-fixed\/clipsim: matches none of the 2 alternatives: \(1\) .*missing required property 'n'; \(2\) .*must be null/);
  const zeroN = validateStudyResults(edited((r) => { r.aggregates['joint-fixed']!.clipsim!.n = 0; }));
  assert.match(zeroN[0]!, /must be >= 1, got 0/);
  const disordered = validateStudyResults(edited((r) => { r.aggregates['joint-fixed']!.clipsim = { mean: 0.3, low: 0.35, high: 0.4, n: 2 }; }));
  assert.deepEqual(disordered, ['/aggregates/joint-fixed/clipsim: interval must satisfy low <= mean <= high, got low 0.35, mean 0.3, high 0.4']);
});

test('validateStudyResults: types, $ref, pattern, date-time and cross-references', () => {
  assert.deepEqual(validateStudyResults(edited((r) => { (r.runs[0]!.metrics as Record<string, unknown>).clipsim = '0.3'; })),
    ['/runs/0/metrics/clipsim: must be number or null, got string "0.3"']);
  assert.deepEqual(validateStudyResults(edited((r) => { (r.runs[0] as { seed: number }).seed = 0.5; })), ['/runs/0/seed: must be integer, got number 0.5']);
  assert.match(validateStudyResults(edited((r) => { r.methods[0]!.id = 'Bad Id'; }))[0]!, /^\/methods\/0\/id: must match \^\[a-z0-9\]/);
  assert.match(validateStudyResults(edited((r) => { r.createdAt = '2025-13-01 12:00'; }))[0]!, /^\/createdAt: must be an RFC 3339 date-time/);
  assert.deepEqual(validateStudyResults(edited((r) => { r.seeds = []; })), ['/seeds: must have at least 1 item(s), got 0']);
  assert.deepEqual(validateStudyResults(edited((r) => { r.ceilings.nope = 1; })),
    [`/ceilings: unknown metric 'nope' (known: ${r().metrics.map((m) => m.name).join(', ')})`]);
  assert.match(validateStudyResults(edited((r) => { r.runs[3]!.method = 'ghost'; }))[0]!, /^\/runs\/3\/method: unknown method 'ghost'/);
});

const r = fixtureResults;

test('compileSchema: the checked-in schema is what is enforced (every preset enum value of the file is accepted)', () => {
  const schema = JSON.parse(readFileSync(studySchemaPath(), 'utf8')) as { properties: { preset: { enum: string[] } } };
  assert.deepEqual(schema.properties.preset.enum, ['micro', 'quick', 'paper']);
  for (const p of schema.properties.preset.enum) assert.deepEqual(validateStudyResults(edited((x) => { (x as { preset: string }).preset = p; })), []);
});

test('compileSchema: small schemas (type arrays, integer, minLength, oneOf) and unsupported keywords', () => {
  const s = compileSchema({ type: 'object', required: ['a'], properties: { a: { type: ['integer', 'null'] }, b: { type: 'string', minLength: 2 } } });
  assert.deepEqual(s.validate({ a: null, b: 'xy' }), []);
  assert.deepEqual(s.validate({ a: 1.5, b: 'é' }), ['/a: must be integer or null, got number 1.5', '/b: must have at least 2 character(s), got "é"']);
  assert.deepEqual(s.validate([]), ['/: must be object, got array []']);
  const one = compileSchema({ oneOf: [{ type: 'number' }, { type: 'integer' }] });
  assert.deepEqual(one.validate(1.5), []);
  assert.deepEqual(one.validate(2), ['/: matches 2 of the oneOf alternatives, must match exactly one']);
  assert.throws(() => compileSchema({ type: 'number', maximum: 3 } as SchemaNode), /keyword 'maximum' is not supported/);
  assert.throws(() => compileSchema({ $ref: '#/definitions/nope' }), /points at nothing/);
});
