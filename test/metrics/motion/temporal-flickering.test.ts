// VBench temporal flickering on hand-made videos.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flickerScore, temporalFlickering } from '../../../src/metrics/motion/temporal-flickering.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { evalVideo } from '../../flow/textures.js';
import type { VideoU8 } from '../../../src/media/video.js';

function video(frames: number[][]): VideoU8 {
  return { frames: frames.length, height: 1, width: frames[0]!.length / 3, channels: 3, data: Uint8Array.from(frames.flat()) };
}

test('static videos score 1; constant changes give (255 − MAE)/255', async () => {
  await assertNoLeak(async () => {
    assert.equal(flickerScore(video([[5, 6, 7, 8, 9, 10], [5, 6, 7, 8, 9, 10]])), 1);
    // |Δ| = 10 on every value, then 0: mean MAE = 5
    assert.ok(Math.abs(flickerScore(video([[0, 0, 0, 0, 0, 0], [10, 10, 10, 10, 10, 10], [10, 10, 10, 10, 10, 10]])) - 250 / 255) < 1e-12);
    // |Δ| of 255 on half the values: MAE 127.5
    assert.ok(Math.abs(flickerScore(video([[0, 0, 0, 255, 255, 255], [255, 255, 255, 255, 255, 255]])) - 127.5 / 255) < 1e-12);
    assert.ok(Number.isNaN(flickerScore(video([[1, 2, 3]]))));
    const r = await temporalFlickering.compute({
      fps: 8,
      videos: [evalVideo('a', video([[1, 1, 1], [1, 1, 1]])), evalVideo('b', video([[0, 0, 0], [51, 51, 51]]))],
    });
    assert.ok(Math.abs(r.aggregate - (1 + 204 / 255) / 2) < 1e-12);
    assert.equal(r.extractor, null);
  });
});
