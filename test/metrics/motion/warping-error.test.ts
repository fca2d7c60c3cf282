// Warping error (Lai et al. 2018): occlusion rule on constructed flows, closed-form errors, and
// videos whose frames are exact moved copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { occlusionMask, pairWarpingErrors, warpingError } from '../../../src/metrics/motion/warping-error.js';
import type { MetricContext } from '../../../src/metrics/types.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { evalVideo, gaussian, movingObject, renderFrames, texture, toVideo } from '../../flow/textures.js';

const H = 48;
const W = 48;

function constantFlow(n: number, dx: number, dy: number): T.Tensor {
  return T.tensor([dx, dy]).view([1, 2, 1, 1]).expand([n, 2, H, W]).contiguous(); // (N, 2, H, W)
}

function ctxOf(videos: ReturnType<typeof evalVideo>[]): MetricContext {
  return { videos, fps: 8 };
}

test('occlusion: consistent flows are visible, an inconsistent backward flow and a motion boundary are occluded', () => {
  assertNoLeak(() => T.tidy(() => {
    // f = (1, 0), b = (−1, 0): |f + w|² = 0 ≤ 0.01·2 + 0.5
    assert.equal(occlusionMask(constantFlow(1, 1, 0), constantFlow(1, -1, 0)).sum().item(), 0);
    // b = 0: |f + w|² = 1 > 0.01·1 + 0.5 everywhere
    assert.equal(occlusionMask(constantFlow(1, 1, 0), constantFlow(1, 0, 0)).sum().item(), H * W);
    // f_x = 0 left of column 20, 0.3 from it on, b = −f: the forward difference at column 19 is
    // 0.3² = 0.09 > 0.01·0 + 0.002; elsewhere the flow is constant
    const step = T.arange(0, W).geScalar(20).float().mulScalar(0.3).view([1, 1, 1, W]).expand([1, 1, H, W]); // (1, 1, H, W)
    const f = T.cat([step, T.zeros([1, 1, H, W])], { dim: 1 }); // (1, 2, H, W)
    const mask = occlusionMask(f, f.neg()); // (1, 1, H, W)
    const cols = T.sumDim(mask.float(), [0, 1, 2]).toArray(); // occluded rows per column
    cols.forEach((c, x) => assert.equal(c, x === 19 ? H : 0, `column ${x}`));
  }));
});

test('pair error with zero flow is the mean squared frame difference (closed form)', () => {
  assertNoLeak(() => T.tidy(() => {
    const a = T.zeros([1, 3, H, W]);
    const b = T.full([1, 3, H, W], 0.5);
    const e = pairWarpingErrors(a, b, constantFlow(1, 0, 0), constantFlow(1, 0, 0));
    assert.ok(Math.abs(e[0]! - 0.25) < 1e-12);
  }));
});

test('a static video and an integer translation away from the borders give 0', async () => {
  const tex = texture(2);
  const still = toVideo(renderFrames(4, H, W, (_t, x, y) => tex(x, y)), 4, H, W);
  // a textured disc moving by (2, 1) px per frame, staying > 8 px from the borders
  const moving = toVideo(movingObject(5, H, W, (t) => [18 + 2 * t, 20 + t], 3, 10), 5, H, W);
  await assertNoLeak(async () => {
    const r = await warpingError.compute(ctxOf([evalVideo('still', still), evalVideo('moving', moving)]));
    assert.ok(r.perVideo[0]!.value <= 1e-6, `static ${r.perVideo[0]!.value}`);
    assert.ok(r.perVideo[1]!.value <= 1e-6, `translation ${r.perVideo[1]!.value}`);
    assert.equal(r.higherIsBetter, false);
    assert.ok(r.extractor);
  });
});

test('the error grows monotonically with temporal noise, and a 1-frame video has no value', async () => {
  const tex = texture(4);
  const clean = renderFrames(4, H, W, (t, x, y) => tex(x - 0.5 * t, y));
  const noisy = (sigma: number): Float32Array => {
    const g = gaussian(99);
    return clean.map((v) => v + sigma * g());
  };
  const levels = [0, 0.01, 0.03, 0.1];
  const videos = levels.map((s, i) => evalVideo(`noise${i}`, toVideo(s === 0 ? clean : noisy(s), 4, H, W)));
  videos.push(evalVideo('single', toVideo(clean.subarray(0, H * W), 1, H, W)));
  await assertNoLeak(async () => {
    const r = await warpingError.compute(ctxOf(videos));
    const v = r.perVideo.map((p) => p.value);
    for (let i = 1; i < levels.length; i++) assert.ok(v[i]! > v[i - 1]!, `noise ${levels[i]}: ${v[i]} ≤ ${v[i - 1]}`);
    assert.ok(Number.isNaN(v[4]!) && r.perVideo[4]!.note);
    assert.ok(Math.abs(r.aggregate - (v[0]! + v[1]! + v[2]! + v[3]!) / 4) < 1e-12);
  });
});
