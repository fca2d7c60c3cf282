// The latent oracles of the study (src/study/steps/oracle.ts): the column median by hand, and the
// oracle videos of a hand-made data set through an autoencoder whose codes are the squared pixels,
// so that a median over codes and a median over pixels give different videos.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { Module } from '../../src/nn/index.js';
import type { VideoAutoencoder } from '../../src/models/ae/types.js';
import { DatasetReader, DatasetWriter, type Split } from '../../src/data/format.js';
import { columnMedian, oracleVideos } from '../../src/study/steps/oracle.js';
import { testPrompts } from '../../src/study/steps/samples.js';
import { assertNoLeak } from '../helpers/leak.js';

const SHAPE = { frames: 2, height: 4, width: 4, channels: 1 };
const BYTES = 32; // (T, H, W, C) = (2, 4, 4, 1)
const A = 'digit 1 is moving up and down';
const B = 'digit 2 is moving left and right';

/** encode: z = x² as (B, 2, 16); decode: sqrt(z) as (B, 1, 2, 4, 4). Counts encoded videos. */
class SquareAe extends Module implements VideoAutoencoder {
  readonly arch = 'conv3d-base' as const;
  readonly config = { square: true };
  encoded = 0;
  latentShape(): number[] {
    return [2, 16];
  }
  encode(x: Tensor): Tensor {
    const b = x.shape[0]!;
    this.encoded += b;
    return T.tidy(() => x.mul(x).reshape([b, 2, 16])); // (B, 2, 16)
  }
  decode(z: Tensor): Tensor {
    return T.tidy(() => T.sqrt(z).reshape([z.shape[0]!, 1, 2, 4, 4])); // (B, C, T, H, W)
  }
}

/** Videos of one grey level each: [caption, split, level]. */
const VIDEOS: [string, Split, number][] = [
  [A, 'train', 10], [A, 'train', 200], [B, 'train', 40], [A, 'train', 30], [B, 'train', 60],
  ['digit 3 is moving up and down', 'train', 255], // not a test caption: never decoded
  [A, 'val', 77], [A, 'test', 90], [B, 'test', 120],
];

function dataset(t: { after(fn: () => void): void }, videos = VIDEOS): DatasetReader {
  const dir = mkdtempSync(join(tmpdir(), 't2v-oracle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const w = DatasetWriter.create(dir, { name: 'levels', ...SHAPE, generator: { name: 'test', version: '0', params: {} } });
  videos.forEach(([caption, split, level], i) => w.add({ id: `v${i}`, caption, split, attributes: {} }, new Uint8Array(BYTES).fill(level)));
  w.finish();
  const r = DatasetReader.open(dir);
  t.after(() => r.close());
  return r;
}

const levels = (vs: { data: Uint8Array }[]): number[][] => vs.map((v) => [...new Set(v.data)]);

test('columnMedian: odd rows take the middle value, even rows the midpoint of the two middle ones, per column', () => {
  assert.deepEqual([...columnMedian(Float32Array.of(3, -1, 1, 5, 2, 0), 3, 2)], [2, 0]);
  assert.deepEqual([...columnMedian(Float32Array.of(1, 10, 3, 30, 2, 20, 4, 40), 4, 2)], [2.5, 25]);
  assert.deepEqual([...columnMedian(Float32Array.of(7, 8, 9), 1, 3)], [7, 8, 9]);
  assert.throws(() => columnMedian(Float32Array.of(1, 2, 3), 2, 2), /3 values are not 2 rows of 2/);
  assert.throws(() => columnMedian(new Float32Array(0), 0, 2), /not 0 rows of 2/);
});

test('bucket-median oracle: per test caption, G of the per-coordinate median of its training codes; k copies of one video', async (t) => {
  const reader = dataset(t);
  const prompts = testPrompts(reader.manifest);
  assert.deepEqual(prompts, [A, B]);
  const ae = new SquareAe();
  await assertNoLeak(async () => {
    const out = await oracleVideos('bucket-median', ae, reader, prompts, 3, 2);
    assert.deepEqual(out.which, [0, 0, 0, 1, 1, 1].map((p, i) => ({ promptIndex: p, sample: i % 3 })));
    // A: codes (10², 200², 30²)/255² → median 30²/255² → 30. B: the midpoint of 40² and 60² →
    // sqrt((1600 + 3600) / 2) = 50.99 → 51 (a median over pixels would give 50).
    assert.deepEqual(levels(out.videos), [[30], [30], [30], [51], [51], [51]]);
    assert.deepEqual(out.missing, []);
  });
  assert.equal(ae.encoded, 6, 'every training video is encoded once');
});

test('recon oracle: G(E(v)) of exactly the reference videos, with their splits', async (t) => {
  const reader = dataset(t);
  const prompts = testPrompts(reader.manifest);
  const ae = new SquareAe();
  await assertNoLeak(async () => {
    const out = await oracleVideos('recon', ae, reader, prompts, 2, 2);
    // A: the validation video first, then the test one; B has only its test video.
    assert.deepEqual(out.which, [{ promptIndex: 0, sample: 0, source: 'val' }, { promptIndex: 0, sample: 1, source: 'test' }, { promptIndex: 1, sample: 0, source: 'test' }]);
    assert.deepEqual(levels(out.videos), [[77], [90], [120]]);
    assert.deepEqual(out.missing, []);
  });
  assert.equal(ae.encoded, 3);
});

test('bucket-median oracle: a test caption without training videos gets no samples and is named; none at all is refused', async (t) => {
  const reader = dataset(t, VIDEOS.filter(([c, s]) => !(c === B && s === 'train')));
  const out = await oracleVideos('bucket-median', new SquareAe(), reader, testPrompts(reader.manifest), 2, 4);
  assert.deepEqual(out.missing, [B]);
  assert.deepEqual(out.which, [{ promptIndex: 0, sample: 0 }, { promptIndex: 0, sample: 1 }]);
  assert.deepEqual(levels(out.videos), [[30], [30]]);
  const none = dataset(t, VIDEOS.filter(([c, s]) => s !== 'train' || (c !== A && c !== B))); // trains only on a caption no test video has
  await assert.rejects(oracleVideos('bucket-median', new SquareAe(), none, testPrompts(none.manifest), 1, 4),
    /needs training videos of the test captions; none of the 2 has any in the train split of 'levels'/);
});
