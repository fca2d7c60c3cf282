import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backgroundConsistency } from '../../../src/metrics/alignment/background-consistency.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { assertClose } from '../../helpers/close.js';
import { FakeClip, RED, WHITE, YELLOW, solidVideo } from '../fake-clip.js';

test('background_consistency: VBench s_i, frame-weighted over videos of different lengths', async () => {
  // cos(white, red) = −1/3, cos(red, yellow) = cos(white, yellow) = 1/3, cos(x, x) = 1.
  // A = [white, red, yellow]: s1 = (0 + 0)/2 = 0, s2 = (1/3 + 1/3)/2 = 1/3   → Σ = 1/3, T−1 = 2
  // B = [white, yellow, red]: s1 = (1/3 + 1/3)/2 = 1/3, s2 = (1/3 + 0)/2 = 1/6 → Σ = 1/2, T−1 = 2
  // C = 5 × white: s_i = 1                                                  → Σ = 4,   T−1 = 4
  // D = 1 frame: no pairs (NaN per video, adds nothing)
  const videos = [
    { id: 'A', prompt: '', video: solidVideo([WHITE, RED, YELLOW]) },
    { id: 'B', prompt: '', video: solidVideo([WHITE, YELLOW, RED]) },
    { id: 'C', prompt: '', video: solidVideo([WHITE, WHITE, WHITE, WHITE, WHITE]) },
    { id: 'D', prompt: '', video: solidVideo([RED]) },
  ];
  await assertNoLeak(async () => {
    const r = await backgroundConsistency.compute({ fps: 8, clip: new FakeClip(), videos });
    assertClose(r.perVideo.slice(0, 3).map((p) => p.value), [1 / 6, 1 / 4, 1], 1e-6);
    assert.ok(Number.isNaN(r.perVideo[3]!.value));
    assert.ok(r.perVideo[3]!.note);
    // Frame-weighted: (1/3 + 1/2 + 4) / (2 + 2 + 4) = 29/48; the mean of per-video values would be 17/36.
    assertClose([r.aggregate], [29 / 48], 1e-6);
    assert.equal(r.aggregates!['pairs'], 8);
    assert.equal(r.extractor, 'fake-clip');
  });
});
