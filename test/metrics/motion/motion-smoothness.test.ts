// Motion smoothness with flow midpoint interpolation: constant velocity is predicted almost
// exactly, random jitter is not. (Integer velocities: the half-way warp then needs no bilinear
// smoothing, whose error would otherwise cost ~0.002 on a fine sub-pixel pan.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { motionSmoothness } from '../../../src/metrics/motion/motion-smoothness.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { evalVideo, movingObject, renderFrames, rng, texture, toVideo } from '../../flow/textures.js';

const H = 64;
const W = 64;
const FRAMES = 9;

test('constant velocity scores ≥ 0.999, random jitter clearly lower, static 1', async () => {
  const steady = movingObject(FRAMES, H, W, (t) => [20 + 2 * t, 24 + t]); // a disc moving (2, 1) px/frame
  const r = rng(5);
  const jitter = Array.from({ length: FRAMES }, () => [Math.round(r() * 6 - 3), Math.round(r() * 6 - 3)]);
  const tex = texture(8);
  const shake = renderFrames(FRAMES, H, W, (t, x, y) => tex(x - jitter[t]![0]!, y - jitter[t]![1]!)); // camera shake ±3 px
  const pan = renderFrames(FRAMES, H, W, (t, x, y) => tex(x - t, y)); // whole-frame pan, 1 px/frame
  const still = renderFrames(3, H, W, (_t, x, y) => tex(x, y));
  const videos = [
    evalVideo('steady', toVideo(steady, FRAMES, H, W)),
    evalVideo('shake', toVideo(shake, FRAMES, H, W)),
    evalVideo('pan', toVideo(pan, FRAMES, H, W)),
    evalVideo('still', toVideo(still, 3, H, W)),
    evalVideo('short', toVideo(still.subarray(0, 2 * H * W), 2, H, W)),
  ];
  await assertNoLeak(async () => {
    const res = await motionSmoothness.compute({ videos, fps: 8 });
    const [s, j, p, st, short] = res.perVideo.map((v) => v.value);
    assert.ok(s! >= 0.999, `steady ${s}`);
    assert.ok(p! >= 0.999, `pan ${p}`);
    assert.ok(j! < 0.98, `shake ${j}`);
    assert.equal(st, 1);
    assert.ok(Number.isNaN(short!) && res.perVideo[4]!.note);
  });
});
