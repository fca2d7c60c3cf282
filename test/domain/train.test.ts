import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { generateSyncDraw } from '../../src/data/syncdraw/generator.js';
import { trainDomainModel } from '../../src/domain/train.js';
import { trainAttributeProbe } from '../../src/domain/train-probe.js';
import { loadDomainModel } from '../../src/domain/model.js';
import { loadAttributeProbe } from '../../src/domain/probe.js';
import { assertNoLeak } from '../helpers/leak.js';

// The set of `t2v data syncdraw --out DIR --train 200 --val 20 --test 40`.
let root: string;
let data: string;
const quiet = (): void => undefined;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 't2v-domain-train-'));
  data = join(root, 'single');
  await generateSyncDraw({ out: data, preset: 'single', splits: { train: 200, val: 20, test: 40 } });
});
after(() => rmSync(root, { recursive: true, force: true }));

test('micro domain preset: trains in seconds, the loss decreases, the folder loads', async () => {
  const out = join(root, 'domain-micro');
  await assertNoLeak(async () => {
    const { model, config, epochLosses } = await trainDomainModel({ data, out, preset: 'micro', seed: 0, log: quiet });
    model.dispose();
    assert.equal(epochLosses.length, 4);
    assert.ok(epochLosses[3]! < epochLosses[0]! - 0.2, `loss ${epochLosses.join(' → ')}`);
    assert.equal(config.test['videos'], 40);
    assert.ok(config.test['r1']! >= 0 && config.test['r5']! >= config.test['r1']!);
    assert.equal(config.train['steps'], 4 * 12);
  });
  for (const f of ['config.json', 'model.safetensors', 'vocab.json', 'metrics.json']) assert.ok(existsSync(join(out, f)), f);
  assert.ok(!existsSync(join(out, 'checkpoint.safetensors')), 'the checkpoint is removed at the end');
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(metrics['split'], 'test');
  const loaded = await loadDomainModel(out);
  assert.equal(loaded.name, 'domain:domain-micro');
  T.tidy(() => assert.deepEqual(loaded.encodeTexts(['digit 3 is moving up and down']).shape, [1, 32]));
  loaded.dispose();
  await assert.rejects(trainDomainModel({ data, out, preset: 'micro', log: quiet }), /already holds a trained model/);
});

test('an interrupted run resumes from its checkpoint and ends where an uninterrupted one does', async () => {
  const full = await trainDomainModel({ data, out: join(root, 'full'), preset: 'micro', seed: 1, log: quiet });
  full.model.dispose();
  const out = join(root, 'interrupted');
  const stopAfterEpoch2 = (line: string): void => {
    if (line.startsWith('epoch 3/4')) throw new Error('interrupted');
  };
  // The epoch-3 line is logged before its checkpoint: the run stops with the epoch-2 checkpoint.
  await assert.rejects(trainDomainModel({ data, out, preset: 'micro', seed: 1, log: stopAfterEpoch2 }), /interrupted/);
  assert.ok(existsSync(join(out, 'checkpoint.safetensors')));
  const lines: string[] = [];
  const resumed = await trainDomainModel({ data, out, preset: 'micro', seed: 1, log: (l) => lines.push(l) });
  resumed.model.dispose();
  assert.ok(lines.some((l) => /resuming from .*epoch 2, step 24/.test(l)), lines.join('\n'));
  assert.deepEqual(resumed.epochLosses.map((x) => x.toFixed(5)), full.epochLosses.map((x) => x.toFixed(5)));
  await assert.rejects(trainDomainModel({ data, out: join(root, 'interrupted2'), preset: 'micro', seed: 1, log: stopAfterEpoch2 }), /interrupted/);
  await assert.rejects(trainDomainModel({ data, out: join(root, 'interrupted2'), preset: 'micro', seed: 2, log: quiet }), /belongs to another run/);
});

test('micro probe preset: trains, the loss decreases, the folder loads and predicts', async () => {
  const out = join(root, 'probe-micro');
  await assertNoLeak(async () => {
    const { probe, config, epochLosses } = await trainAttributeProbe({ data, out, preset: 'micro', seed: 0, log: quiet });
    probe.dispose();
    assert.ok(epochLosses[3]! < epochLosses[0]!, `loss ${epochLosses.join(' → ')}`);
    assert.equal(config.test['videos'], 40);
    assert.ok(config.test['accuracy']! >= 0 && config.test['accuracy']! <= config.test['digit']!);
  });
  const probe = await loadAttributeProbe(out);
  assert.equal(probe.name, 'probe:probe-micro');
  probe.dispose();
});
