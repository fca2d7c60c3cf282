import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { rgbFrameTensor, textFeatures, videoFrameFeatures } from '../../src/metrics/frame-features.js';
import { makeVideo } from '../../src/media/video.js';
import type { FrameEncoder } from '../../src/metrics/types.js';
import { assertNoLeak } from '../helpers/leak.js';
import { assertClose } from '../helpers/close.js';
import { FakeClip, RED, WHITE, YELLOW, solidVideo } from './fake-clip.js';

test('rgbFrameTensor repeats a gray channel three times and slices frames', () => {
  const data = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 10); // (3, 2, 2, 1)
  const v = makeVideo(3, 2, 2, 1, data);
  assertNoLeak(() => {
    using t = rgbFrameTensor(v, 1, 2);
    assert.deepEqual(t.shape, [2, 2, 2, 3]);
    assert.equal(t.dtype, 'uint8');
    assert.deepEqual(Array.from(t.toTypedArray() as Uint8Array), [40, 40, 40, 50, 50, 50, 60, 60, 60, 70, 70, 70, 80, 80, 80, 90, 90, 90, 100, 100, 100, 110, 110, 110]);
  });
  assert.throws(() => rgbFrameTensor(v, 2, 2), /outside/);
});

test('videoFrameFeatures encodes in chunks, L2-normalises, and caches per (encoder, video)', () => {
  const clip = new FakeClip();
  const v = solidVideo([WHITE, RED, YELLOW, WHITE, RED]);
  assertNoLeak(() => {
    const f = videoFrameFeatures(clip, v, 2);
    assert.deepEqual(clip.frameCalls, [2, 2, 1]);
    assert.deepEqual([f.n, f.dim], [5, 3]);
    const s = 1 / Math.sqrt(3);
    assertClose(f.data.subarray(0, 6), [s, s, s, s, -s, -s], 1e-7);
    videoFrameFeatures(clip, v, 2);
    assert.deepEqual(clip.frameCalls, [2, 2, 1]); // cached
  });
});

test('textFeatures normalises, encodes each distinct text once', () => {
  const clip = new FakeClip({ a: [3, 0, 4], b: [0, 2, 0] });
  assertNoLeak(() => {
    const r = textFeatures(clip, ['a', 'b', 'a']);
    assertClose([...r[0]!, ...r[1]!, ...r[2]!], [0.6, 0, 0.8, 0, 1, 0, 0.6, 0, 0.8], 1e-7);
    textFeatures(clip, ['b']);
    assert.deepEqual(clip.textCalls, [['a', 'b']]);
  });
});

test('an encoder returning the wrong shape is reported, and nothing leaks', () => {
  const bad: FrameEncoder = { name: 'bad', encodeFrames: (x) => T.zeros([x.shape[0]! + 1, 3]) };
  assertNoLeak(() => {
    assert.throws(() => videoFrameFeatures(bad, solidVideo([WHITE, RED])), /bad\.encodeFrames returned shape \(3, 3\) for 2 inputs/);
  });
});
