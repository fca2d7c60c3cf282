import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipsim } from '../../../src/metrics/alignment/clipsim.js';
import { MetricInputError, type MetricContext } from '../../../src/metrics/types.js';
import { makeVideo } from '../../../src/media/video.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { assertClose } from '../../helpers/close.js';
import { FakeClip, RED, WHITE, solidVideo } from '../fake-clip.js';

const TABLE = { white: [1, 1, 1], 'x-axis': [2, 0, 0] };

test('clipsim: a video whose frames are one image scores that image–text cosine; mean over frames, then videos', async () => {
  const clip = new FakeClip(TABLE);
  const gray = makeVideo(2, 4, 4, 1, new Uint8Array(32).fill(255)); // gray white → repeated to RGB (1, 1, 1)
  const ctx: MetricContext = {
    fps: 8, clip,
    videos: [
      { id: 'a', prompt: 'x-axis', video: solidVideo([WHITE, WHITE, WHITE]) }, // cos((1,1,1),(2,0,0)) = 1/√3
      { id: 'b', prompt: 'white', video: solidVideo([WHITE, RED]) }, // (1 + (−1/3)) / 2 = 1/3
      { id: 'c', prompt: 'x-axis', video: gray }, // 1/√3
    ],
  };
  await assertNoLeak(async () => {
    const r = await clipsim.compute(ctx);
    assert.equal(r.metric, 'clipsim');
    assert.equal(r.extractor, 'fake-clip');
    assert.equal(r.higherIsBetter, true);
    assert.deepEqual(r.perVideo.map((p) => p.id), ['a', 'b', 'c']);
    assertClose(r.perVideo.map((p) => p.value), [1 / Math.sqrt(3), 1 / 3, 1 / Math.sqrt(3)], 1e-6);
    assertClose([r.aggregate], [(2 / Math.sqrt(3) + 1 / 3) / 3], 1e-6);
    assert.equal(r.settings['scale'], 1);
    assert.equal(r.settings['clamp'], 'none');
  });
  // Raw cosine: a negative alignment stays negative (no clamp, no ×100).
  const neg = await clipsim.compute({ fps: 8, clip, videos: [{ id: 'n', prompt: 'white', video: solidVideo([RED]) }] });
  assertClose([neg.aggregate], [-1 / 3], 1e-6);
});

test('clipsim without a CLIP model names the flag', async () => {
  await assert.rejects(clipsim.compute({ fps: 8, videos: [] }), (e: unknown) => e instanceof MetricInputError && /--clip DIR/.test(e.message));
});
