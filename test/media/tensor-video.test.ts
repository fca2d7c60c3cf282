// videosFromTensor (src/media/tensor-video.ts): (B, C, T, H, W) floats in [0, 1] → uint8
// (T, H, W, C) videos, round(255·clamp(v, 0, 1)). Expected bytes are worked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { videosFromTensor } from '../../src/media/tensor-video.js';
import { assertNoLeak } from '../helpers/leak.js';

test('videosFromTensor rounds and clamps [0, 1] floats to uint8 (T, H, W, C) per video', () =>
  assertNoLeak(() => {
    const x = T.tensor([0, 0.5, 1, 0.2, 0.998, 1.5], { shape: [1, 1, 3, 2, 1] }); // (B, C, T, H, W)
    const [v] = videosFromTensor(x);
    assert.deepEqual([v!.frames, v!.height, v!.width, v!.channels], [3, 2, 1, 1]);
    assert.deepEqual([...v!.data], [0, 128, 255, 51, 254, 255]); // 0.5·255 = 127.5 → 128; 0.2·255 = 51; 0.998·255 = 254.49 → 254
    x.dispose();
  }));

test('videosFromTensor moves channels last and splits the batch', () =>
  assertNoLeak(() => {
    // B = 2, C = 3, T = 1, H = 1, W = 2: value = (b·6 + c·2 + w) / 255, so byte = b·6 + c·2 + w.
    const vals = Array.from({ length: 12 }, (_, i) => i / 255);
    const x = T.tensor(vals, { shape: [2, 3, 1, 1, 2] });
    const vs = videosFromTensor(x);
    assert.equal(vs.length, 2);
    // (T, H, W, C) order: w = 0 → c = 0, 1, 2, then w = 1.
    assert.deepEqual([...vs[0]!.data], [0, 2, 4, 1, 3, 5]);
    assert.deepEqual([...vs[1]!.data], [6, 8, 10, 7, 9, 11]);
    assert.equal(vs[1]!.channels, 3);
    x.dispose();
  }));

test('videosFromTensor refuses other ranks and channel counts', () =>
  assertNoLeak(() => {
    const four = T.zeros([1, 1, 2, 2]);
    const two = T.zeros([1, 2, 1, 2, 2]);
    assert.throws(() => videosFromTensor(four), /must be \(B, C, T, H, W\), got shape \[1, 1, 2, 2\]/);
    assert.throws(() => videosFromTensor(two), /2 channels; expected 1 \(gray\) or 3 \(RGB\)/);
    four.dispose();
    two.dispose();
  }));
