import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipscoreHessel } from '../../../src/metrics/alignment/clipscore-hessel.js';
import { clipscoreTm } from '../../../src/metrics/alignment/clipscore-tm.js';
import type { MetricContext } from '../../../src/metrics/types.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { assertClose } from '../../helpers/close.js';
import { BLACK, FakeClip, RED, WHITE, solidVideo } from '../fake-clip.js';

const TABLE = { white: [1, 1, 1], 'A photo depicts white': [1, 1, 1] };

function ctxOf(clip: FakeClip, which: ('A' | 'C')[]): MetricContext {
  const videos = {
    A: { id: 'A', prompt: 'white', video: solidVideo([WHITE, RED]) }, // frame cosines 1, −1/3
    C: { id: 'C', prompt: 'white', video: solidVideo([BLACK, BLACK]) }, // frame cosines −1, −1
  };
  return { fps: 8, clip, videos: which.map((k) => videos[k]) };
}

test('clipscore_hessel clamps per frame (2.5·max(cos,0)), clipscore_tm after the mean (max(100·mean, 0))', async () => {
  await assertNoLeak(async () => {
    // One video with frame cosines 1 and −1/3: the clamp position decides.
    const h1 = await clipscoreHessel.compute(ctxOf(new FakeClip(TABLE), ['A']));
    const t1 = await clipscoreTm.compute(ctxOf(new FakeClip(TABLE), ['A']));
    assertClose([h1.aggregate], [2.5 * (1 + 0) / 2], 1e-6); // 1.25: the −1/3 frame counts as 0
    assertClose([t1.aggregate], [100 * (1 - 1 / 3) / 2], 1e-4); // 33.33: the −1/3 frame pulls the mean down
    assert.notEqual(h1.aggregate / 2.5, t1.aggregate / 100);

    // Two videos, mean cosine 1/3 and −1: Hessel averages clamped values, torchmetrics clamps the mean.
    const h2 = await clipscoreHessel.compute(ctxOf(new FakeClip(TABLE), ['A', 'C']));
    const t2 = await clipscoreTm.compute(ctxOf(new FakeClip(TABLE), ['A', 'C']));
    assertClose(h2.perVideo.map((p) => p.value), [1.25, 0], 1e-6);
    assertClose([h2.aggregate], [0.625], 1e-6);
    assertClose(t2.perVideo.map((p) => p.value), [100 / 3, -100], 1e-4); // per-video values are not clamped
    assert.equal(t2.aggregate, 0); // max((33.33 − 100)/2, 0)
    assertClose([t2.aggregates!['unclamped']!], [(100 / 3 - 100) / 2], 1e-4);
  });
});

test('clipscore_hessel prefixes the prompt with "A photo depicts "; clipscore_tm does not', async () => {
  const ch = new FakeClip(TABLE);
  await clipscoreHessel.compute(ctxOf(ch, ['A']));
  assert.deepEqual(ch.textCalls.flat(), ['A photo depicts white']);
  const ct = new FakeClip(TABLE);
  await clipscoreTm.compute(ctxOf(ct, ['A']));
  assert.deepEqual(ct.textCalls.flat(), ['white']);
});
