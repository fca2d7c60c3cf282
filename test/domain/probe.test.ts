import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import {
  AttributeProbeModel, captionAttributes, loadAttributeProbe, manifestSlots, probeTargets, slotsToAttributes,
} from '../../src/domain/probe.js';
import { SyncDrawRenderer, resolveSyncDrawParams } from '../../src/data/syncdraw/generator.js';
import { makeVideo } from '../../src/media/video.js';
import { assertNoLeak } from '../helpers/leak.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 't2v-probe-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('captionAttributes: single-digit caption; the second slot is none', () => {
  assert.deepEqual(captionAttributes('digit 3 is moving up and down'), { digit0: '3', motion0: 'up and down', digit1: 'none', motion1: 'none' });
  assert.deepEqual(captionAttributes('  Digit 0 is  moving LEFT and right '), { digit0: '0', motion0: 'left and right', digit1: 'none', motion1: 'none' });
});

test('captionAttributes: double-digit captions, slots sorted by digit whatever the caption order', () => {
  const want = { digit0: '3', motion0: 'left and right', digit1: '7', motion1: 'up and down' };
  assert.deepEqual(captionAttributes('digit 7 is moving up and down and digit 3 is moving left and right'), want);
  assert.deepEqual(captionAttributes('digit 3 is moving left and right and digit 7 is moving up and down'), want);
});

test('captionAttributes: null for captions that are not SyncDraw templates', () => {
  for (const c of ['a cat is running', 'digit 3 is moving diagonally', 'digit 12 is moving up and down', 'digit 3 is moving up and down and digit 3 is moving left and right', 'digit 3 is moving up and down and']) {
    assert.equal(captionAttributes(c), null, c);
  }
});

test('captionAttributes agrees with the generator’s own attributes (single and double presets)', () => {
  for (const preset of ['single', 'double', 'mixed'] as const) {
    const r = new SyncDrawRenderer(resolveSyncDrawParams({ preset, splits: { train: 40, val: 0, test: 0 } }));
    const buf = new Uint8Array(r.videoBytes);
    for (let i = 0; i < 40; i++) {
      const meta = r.render('train', i, buf);
      const slots = manifestSlots(meta.attributes);
      assert.ok(slots, meta.caption);
      assert.deepEqual(captionAttributes(meta.caption), slotsToAttributes(slots), meta.caption);
    }
  }
});

test('probeTargets: presence, motion per present digit (others ignored), count', () => {
  const t = probeTargets([[{ digit: 2, motion: 'left and right' }], [{ digit: 9, motion: 'up and down' }, { digit: 0, motion: 'left and right' }]]);
  const d = t.digits.toArray();
  assert.deepEqual(d.slice(0, 10), [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(d.slice(10), [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  const m = t.motions.toArray();
  assert.deepEqual(m.slice(0, 10), [-100, -100, 1, -100, -100, -100, -100, -100, -100, -100]);
  assert.equal(m[10], 1);
  assert.equal(m[19], 0);
  assert.deepEqual(t.count.toArray(), [0, 1]);
  for (const x of Object.values(t)) x.dispose();
});

test('predict: keys of captionAttributes, any video size, gray or RGB; save → load predicts the same', async () => {
  T.manualSeed(3);
  const probe = new AttributeProbeModel({ inputChannels: 1, frames: 4, size: 16, channels: [8, 8] });
  probe.eval();
  const videos = [makeVideo(16, 64, 64, 1), makeVideo(8, 48, 40, 3), makeVideo(16, 64, 64, 1)];
  videos.forEach((v, k) => v.data.forEach((_, i) => (v.data[i] = (i * (k + 7)) % 251)));
  const got = probe.predict(videos);
  assert.equal(got.length, 3);
  for (const a of got) {
    assert.deepEqual(Object.keys(a), ['digit0', 'motion0', 'digit1', 'motion1']);
    assert.match(a.digit0!, /^\d$/);
  }
  const folder = join(dir, 'probe-a');
  probe.save(folder, { dataset: { name: 'x', dir: 'x', frames: 16, height: 64, width: 64, channels: 1 }, seed: 3, preset: 'test', train: {}, test: {} });
  const loaded = await loadAttributeProbe(folder);
  assert.equal(loaded.name, 'probe:probe-a');
  assert.deepEqual(loaded.predict(videos), got);
  const logits = (p: AttributeProbeModel): number[] => T.tidy(() => T.noGrad(() => p.forward(T.rand([2, 1, 16, 32, 32], {})).digit.toArray()));
  T.manualSeed(9);
  const a = logits(probe);
  T.manualSeed(9);
  assert.deepEqual(logits(loaded), a);
  assertNoLeak(() => loaded.predict(videos));
  probe.dispose();
  loaded.dispose();
});

test('loadAttributeProbe: missing folder or files name the files and the command', async () => {
  await assert.rejects(loadAttributeProbe(join(dir, 'nope')), /does not exist; train one with `t2v train probe/);
  const folder = join(dir, 'probe-b');
  const probe = new AttributeProbeModel({ inputChannels: 1, frames: 4, size: 16, channels: [8] });
  probe.save(folder, { dataset: { name: 'x', dir: 'x', frames: 4, height: 16, width: 16, channels: 1 }, seed: 0, preset: 'test', train: {}, test: {} });
  probe.dispose();
  rmSync(join(folder, 'model.safetensors'));
  await assert.rejects(loadAttributeProbe(folder), /lacks model\.safetensors; make it with `t2v train probe --data DATA_DIR --out/);
});
