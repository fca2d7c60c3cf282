// The trainer config: schema errors name the key path and what was expected; layers merge in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig, s } from '../../src/train/schema.js';
import { configDifferences, deepMerge, readConfigFile, resolveTrainerConfig, validateTrainerConfig, TRAINER_DEFAULTS } from '../../src/train/config.js';

const full = (over: Record<string, unknown> = {}): unknown => deepMerge(deepMerge(TRAINER_DEFAULTS, { data: { dir: 'd' } }), over);

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

test('a wrong type names the key path, the expectation and the value', () => {
  assert.deepEqual(issuesOf(() => validateTrainerConfig(full({ train: { lr: 'abc' } }))), ['config.train.lr: expected a number > 0, got "abc"']);
  assert.deepEqual(issuesOf(() => validateTrainerConfig(full({ train: { clipNorm: true } }))), ['config.train.clipNorm: expected a number > 0 or null, got true']);
  assert.deepEqual(issuesOf(() => validateTrainerConfig(full({ data: [] }))), [
    'config.data: expected an object with keys dir, split, sampler, perBucket, channels, valSplit, got an array',
  ]);
});

test('unknown keys are rejected at their path, listing the valid keys', () => {
  const got = issuesOf(() => validateTrainerConfig(full({ train: { stpes: 10 }, data: { shuffle: true } })));
  assert.equal(got.length, 2);
  assert.match(got[0]!, /^config\.train\.stpes: unknown key; valid keys: steps, batchSize, lr, /);
  assert.match(got[1]!, /^config\.data\.shuffle: unknown key; valid keys: dir, split, sampler/);
  assert.deepEqual(issuesOf(() => validateTrainerConfig(full({ optim: {} }))), ['config.optim: unknown key; valid keys: train, data, model']);
});

test('ranges, integers and enums', () => {
  assert.deepEqual(issuesOf(() => validateTrainerConfig(full({ train: { steps: 0 } }))), ['config.train.steps: expected an integer >= 1, got 0']);
  assert.deepEqual(issuesOf(() => validateTrainerConfig(full({ train: { steps: 2.5 } }))), ['config.train.steps: expected an integer >= 1, got 2.5']);
  assert.deepEqual(issuesOf(() => validateTrainerConfig(full({ train: { ema: 1 } }))), ['config.train.ema: expected a number > 0 and < 1 or null, got 1']);
  assert.deepEqual(issuesOf(() => validateTrainerConfig(full({ train: { lr: -1 } }))), ['config.train.lr: expected a number > 0, got -1']);
  assert.deepEqual(issuesOf(() => validateTrainerConfig(full({ data: { sampler: 'rnd' } }))), ['config.data.sampler: expected one of "random", "bucket", got "rnd"']);
  assert.deepEqual(issuesOf(() => validateTrainerConfig(full({ data: { channels: 2 } }))), ['config.data.channels: expected one of 1, 3 or null, got 2']);
});

test('every problem is reported at once; a missing required key says what it needs', () => {
  const cfg = deepMerge(TRAINER_DEFAULTS, { train: { lr: 0, keepLast: 'x' } });
  assert.deepEqual(issuesOf(() => validateTrainerConfig(cfg)), [
    'config.train.lr: expected a number > 0, got 0',
    'config.train.keepLast: expected an integer >= 1, got "x"',
    'config.data.dir: missing; expected a non-empty string',
  ]);
});

test('checks across keys: warmup within the budget, bucket batches made of whole groups', () => {
  assert.deepEqual(issuesOf(() => validateTrainerConfig(full({ train: { steps: 10, warmupSteps: 11 } }))), [
    'config.train.warmupSteps: expected an integer <= train.steps (10), got 11',
  ]);
  assert.deepEqual(issuesOf(() => validateTrainerConfig(full({ train: { batchSize: 10 }, data: { sampler: 'bucket', perBucket: 4 } }))), [
    'config.train.batchSize: expected a multiple of data.perBucket (4) with the bucket sampler, got 10',
  ]);
});

test('layers merge in order: trainer defaults, preset, file, flags; the error header names them', () => {
  const cfg = resolveTrainerConfig([
    { name: 'preset quick', value: { train: { steps: 2000, lr: 1e-3 }, model: { dz: 64, enc: { ch: 32, depth: 2 } } } },
    { name: 'cfg.json', value: { train: { lr: 5e-4 }, model: { enc: { ch: 48 } } } },
    { name: 'flags', value: { train: { seed: 9 }, data: { dir: 'data/x' } } },
  ]);
  assert.equal(cfg.train.steps, 2000); // preset
  assert.equal(cfg.train.lr, 5e-4); // file over preset
  assert.equal(cfg.train.seed, 9); // flags
  assert.equal(cfg.train.batchSize, TRAINER_DEFAULTS.train.batchSize); // trainer default
  assert.equal(cfg.train.clipNorm, 1);
  assert.equal(cfg.train.ema, null);
  assert.equal('threads' in cfg.train, false);
  assert.deepEqual(cfg.model, { dz: 64, enc: { ch: 48, depth: 2 } }); // deep merge
  assert.deepEqual(cfg.data, { dir: 'data/x', split: 'train', sampler: 'random', perBucket: 4, channels: null, valSplit: 'val' });
  assert.throws(
    () => resolveTrainerConfig([{ name: 'cfg.json', value: { train: { lr: 'abc' } } }, { name: 'flags', value: { data: { dir: 'd' } } }]),
    (err: Error) => err.message === 'invalid training config (merged: trainer defaults <- cfg.json <- flags):\n  config.train.lr: expected a number > 0, got "abc"',
  );
});

test('config files: missing and malformed files are named', () => {
  const dir = mkdtempSync(join(tmpdir(), 't2v-cfg-'));
  assert.throws(() => readConfigFile(join(dir, 'none.json')), /none\.json: config file not found/);
  writeFileSync(join(dir, 'bad.json'), '{"train": {');
  assert.throws(() => readConfigFile(join(dir, 'bad.json')), /bad\.json: not valid JSON/);
  writeFileSync(join(dir, 'arr.json'), '[1]');
  assert.throws(() => readConfigFile(join(dir, 'arr.json')), /arr\.json: expected a JSON object with keys train, data, model; got an array/);
  writeFileSync(join(dir, 'ok.json'), '{"train": {"steps": 5}}');
  assert.deepEqual(readConfigFile(join(dir, 'ok.json')), { train: { steps: 5 } });
});

test('schema builders: optional keys are left out, defaults are fresh copies, nested paths', () => {
  const S = s.object({ a: s.optional(s.int()), b: s.withDefault(s.anyObject(), { x: 1 }), c: s.object({ d: s.boolean() }) });
  const v1 = parseConfig(S, { c: { d: true } });
  const v2 = parseConfig(S, { c: { d: false } });
  assert.deepEqual(v1, { b: { x: 1 }, c: { d: true } });
  assert.notEqual(v1.b, v2.b);
  assert.throws(() => parseConfig(S, { c: { d: 1 } }, { root: 'cfg' }), (e: Error) => e.message === 'cfg.c.d: expected true or false, got 1');
});

test('configDifferences lists the differing key paths, minus the ignored ones', () => {
  const a = { train: { steps: 1, lr: 1 }, data: { dir: 'x' } };
  const b = { train: { steps: 2, lr: 1 }, data: { dir: 'y' }, model: { k: 1 } };
  assert.deepEqual(configDifferences(a, b), ['data.dir', 'model', 'train.steps']);
  assert.deepEqual(configDifferences(a, b, ['data.dir']), ['model', 'train.steps']);
});
