import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipTemp } from '../../../src/metrics/alignment/clip-temp.js';
import { cscv } from '../../../src/metrics/alignment/cscv.js';
import type { MetricContext } from '../../../src/metrics/types.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { assertClose } from '../../helpers/close.js';
import { CYAN, FakeClip, RED, WHITE, YELLOW, solidVideo } from '../fake-clip.js';

// Consecutive cosines of [white, red, red, yellow]: −1/3, 1, 1/3 (mean 1/3).
const varied = solidVideo([WHITE, RED, RED, YELLOW]);
const steady = solidVideo([WHITE, WHITE, WHITE]); // cosines 1, 1
const single = solidVideo([RED]);

function ctx(): MetricContext {
  return { fps: 8, clip: new FakeClip(), videos: [
    { id: 'varied', prompt: '', video: varied }, { id: 'steady', prompt: '', video: steady }, { id: 'single', prompt: '', video: single },
  ] };
}

test('clip_temp: mean consecutive-frame cosine per video, mean over videos; a 1-frame video is NaN with a note', async () => {
  await assertNoLeak(async () => {
    const r = await clipTemp.compute(ctx());
    assertClose(r.perVideo.slice(0, 2).map((p) => p.value), [1 / 3, 1], 1e-6);
    assert.ok(Number.isNaN(r.perVideo[2]!.value));
    assert.match(r.perVideo[2]!.note!, /at least 2 frames/);
    assertClose([r.aggregate], [(1 / 3 + 1) / 2], 1e-6);
    assert.equal(r.higherIsBetter, true);
  });
});

test('cscv: population std / mean of consecutive cosines per video, mean over videos', async () => {
  await assertNoLeak(async () => {
    const r = await cscv.compute(ctx());
    // cosines −1/3, 1, 1/3: mean 1/3, population variance ((2/3)² + (2/3)² + 0)/3 = 8/27 → CV = 3·√(8/27) = √(8/3).
    // (The sample std would give √(8/18)·3 = 2.)
    assertClose(r.perVideo.slice(0, 2).map((p) => p.value), [Math.sqrt(8 / 3), 0], 1e-6);
    assert.ok(Number.isNaN(r.perVideo[2]!.value));
    assertClose([r.aggregate], [Math.sqrt(8 / 3) / 2], 1e-6);
    assert.equal(r.higherIsBetter, false);
    assert.equal(r.settings['std'], 'population (ddof = 0)');
  });
  // Cosines 1/3 and −1/3 average to 0: std/mean is undefined.
  const z = await cscv.compute({ fps: 8, clip: new FakeClip(), videos: [{ id: 'z', prompt: '', video: solidVideo([WHITE, YELLOW, CYAN]) }] });
  assert.ok(Number.isNaN(z.perVideo[0]!.value));
  assert.match(z.perVideo[0]!.note!, /mean pair cosine is 0/);
  assert.ok(Number.isNaN(z.aggregate));
});
