import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { TextTower } from '../../src/domain/text-tower.js';
import { VideoTower, videosFromU8 } from '../../src/domain/video-tower.js';
import { Vocab } from '../../src/domain/vocab.js';
import { assertClose } from '../helpers/close.js';
import { assertNoLeak } from '../helpers/leak.js';

const vocab = Vocab.fromCaptions(['digit 3 is moving up and down', 'digit 7 is moving left and right']);

test('TextTower.encode: states (B, L, D), mask of real tokens, pooled = masked mean of states', () => {
  T.manualSeed(0);
  const tower = new TextTower(vocab, { width: 16, layers: 2, heads: 2, maxTokens: 12 });
  assertNoLeak(() => {
    const { states, mask, pooled } = tower.encode(['digit 3', 'digit 7 is moving left and right']);
    assert.deepEqual(states.shape, [2, 8, 16]);
    assert.deepEqual(mask.toArray(), [1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    const s = states.toArray();
    const want: number[] = [];
    for (const [b, n] of [[0, 3], [1, 8]] as const) {
      for (let d = 0; d < 16; d++) {
        let sum = 0;
        for (let t = 0; t < n; t++) sum += s[(b * 8 + t) * 16 + d]!;
        want.push(sum / n);
      }
    }
    assertClose(pooled.toArray(), want, 1e-5);
    for (const x of [states, mask, pooled]) x.dispose();
  });
  assert.equal(tower.dim, 16);
  assert.equal(tower.maxTokens, 12);
  tower.dispose();
});

test('TextTower: padding does not change a text’s pooled embedding; long texts are cut to maxTokens', () => {
  T.manualSeed(1);
  const tower = new TextTower(vocab, { width: 16, layers: 1, heads: 4, maxTokens: 5 });
  tower.eval();
  const alone = T.tidy(() => tower.encode(['digit 3']).pooled.toArray());
  const padded = T.tidy(() => tower.encode(['digit 3', 'digit 7 is moving']).pooled.toArray().slice(0, 16));
  assertClose(padded, alone, 1e-5);
  const long = T.tidy(() => tower.encode(['digit 7 is moving left and right and up']).states.shape);
  assert.deepEqual(long, [1, 5, 16]);
  tower.dispose();
});

test('videosFromU8: (B, T, H, W, C) uint8 → (B, C, T, H, W) in [0, 1]; RGB → BT.601 luma; gray → RGB', () => {
  assertNoLeak(() => T.tidy(() => {
    const rgb = T.tensor(new Uint8Array([255, 0, 0, 0, 255, 0]), { shape: [1, 1, 1, 2, 3] }); // red, green pixels
    assertClose(videosFromU8(rgb, 1).toArray(), [0.299, 0.587], 1e-6);
    const gray = T.tensor(new Uint8Array([51, 102]), { shape: [1, 2, 1, 1, 1] });
    const g3 = videosFromU8(gray, 3);
    assert.deepEqual(g3.shape, [1, 3, 2, 1, 1]);
    assertClose(g3.toArray(), [0.2, 0.4, 0.2, 0.4, 0.2, 0.4], 1e-6);
  }));
});

test('VideoTower.resample picks frames ⌊k·T/frames⌋ and area-pools space', () => {
  const tower = new VideoTower({ inputChannels: 1, frames: 3, size: 2, channels: [4] });
  assertNoLeak(() => T.tidy(() => {
    // 6 frames of 4×4 whose value is the frame index + a 2×2 block pattern
    const data = new Float32Array(6 * 16);
    for (let t = 0; t < 6; t++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) data[t * 16 + y * 4 + x] = t + (x < 2 ? 0 : 0.5) + (y < 2 ? 0 : 0.25);
    const r = tower.resample(T.tensor(data, { shape: [1, 1, 6, 4, 4] }));
    assert.deepEqual(r.shape, [1, 1, 3, 2, 2]);
    const want = [0, 2, 4].flatMap((t) => [t, t + 0.5, t + 0.25, t + 0.75]);
    assertClose(r.toArray(), want, 1e-6);
  }));
  tower.dispose();
});

test('VideoTower: space-to-depth keeps every pixel; output (B, D); eval mode is batch-independent', () => {
  T.manualSeed(2);
  const tower = new VideoTower({ inputChannels: 1, frames: 2, size: 4, patch: 2, channels: [6, 8] });
  assert.deepEqual(tower.stages.at(0).conv.weight.shape, [6, 4, 3, 3, 3]);
  T.tidy(() => {
    const x = T.arange(0, 32).reshape([1, 1, 2, 4, 4]).divScalar(32); // (1, 1, 2, 4, 4)
    const p = tower.prepare(x); // (1, 4, 2, 2, 2): channel (i, j) holds pixels (2y + i, 2x + j)
    assert.deepEqual(p.shape, [1, 4, 2, 2, 2]);
    const v = p.addScalar(1).divScalar(2).mulScalar(32).round().toArray(); // back to pixel indices
    // frame 0, channel (0, 1): pixels (0,1), (0,3), (2,1), (2,3) = 1, 3, 9, 11
    assert.deepEqual(v.slice(8, 12), [1, 3, 9, 11]);
    tower.eval();
    const a = tower.forward(x.expand([3, 1, 2, 4, 4]).contiguous().mul(T.tensor([1, 0.5, 0.25]).reshape([3, 1, 1, 1, 1]))); // (3, D)
    const b = tower.forward(x); // (1, D)
    assert.deepEqual(a.shape, [3, 8]);
    assertClose(a.toArray().slice(0, 8), b.toArray(), 1e-5);
  });
  tower.dispose();
});
