// VBench dynamic degree: the rounding of its constants (Python's half-to-even round) and the
// decision on static and fast videos.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dynamicDegree, dynamicDegreeParams, isDynamic } from '../../../src/metrics/motion/dynamic-degree.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { evalVideo, movingObject, renderFrames, texture, toVideo } from '../../flow/textures.js';

test('count_num = round(4N/16) and interval = max(1, round(fps/8)) round halves to even', () => {
  // N sampled frames → count_num: 0.5 → 0, 1.5 → 2, 2.5 → 2, 3.5 → 4
  const cases: [number, number][] = [[2, 0], [6, 2], [10, 2], [14, 4], [16, 4], [3, 1]];
  for (const [n, want] of cases) assert.equal(dynamicDegreeParams(n, 64, 64, 8).countNum, want, `N = ${n}`);
  // fps → interval: 4/8 = 0.5 → 0 → 1; 12/8 = 1.5 → 2; 20/8 = 2.5 → 2; 28/8 = 3.5 → 4; 30/8 = 3.75 → 4
  const fpsCases: [number, number][] = [[4, 1], [8, 1], [12, 2], [20, 2], [28, 4], [30, 4], [1, 1]];
  for (const [fps, want] of fpsCases) assert.equal(dynamicDegreeParams(16, 64, 64, fps).interval, want, `fps ${fps}`);
  // 16 frames at 20 fps: interval 2 → frames 0, 2, …, 14 → N = 8, count_num 2
  const p = dynamicDegreeParams(16, 64, 48, 20);
  assert.equal(p.sampled, 8);
  assert.equal(p.countNum, 2);
  assert.equal(p.thres, (6 * 48) / 256);
  assert.equal(p.topK, Math.floor(0.05 * 64 * 48));
});

test('check_move counts scores above thres and stops at count_num', () => {
  assert.equal(isDynamic([2, 0, 2], 1.5, 2), true);
  assert.equal(isDynamic([2, 0, 1.5], 1.5, 2), false); // equal to thres does not count
  assert.equal(isDynamic([0], 1.5, 0), true); // VBench returns True at the first pair when count_num = 0
  assert.equal(isDynamic([], 1.5, 0), false);
});

test('a static video is not dynamic, a fast one is', async () => {
  const [h, w, frames] = [64, 64, 8];
  const tex = texture(6);
  const still = toVideo(renderFrames(frames, h, w, (_t, x, y) => tex(x, y)), frames, h, w);
  // thres = 6·64/256 = 1.5 px; the disc moves 3 px per frame
  const fast = toVideo(movingObject(frames, h, w, (t) => [14 + 3 * t, 32]), frames, h, w);
  await assertNoLeak(async () => {
    const r = await dynamicDegree.compute({ videos: [evalVideo('still', still), evalVideo('fast', fast)], fps: 8 });
    assert.equal(r.perVideo[0]!.extra!.dynamic, false);
    assert.equal(r.perVideo[1]!.extra!.dynamic, true);
    assert.equal(r.perVideo[1]!.extra!.pairsAboveThres, frames - 1);
    assert.equal(r.aggregate, 0.5);
  });
});
