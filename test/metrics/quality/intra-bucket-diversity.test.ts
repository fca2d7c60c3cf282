// Tests for intra_bucket_diversity (src/metrics/quality/intra-bucket-diversity.ts): mean pairwise
// 1 − SSIM within a caption, per video and per caption, NaN for single videos.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intraBucketDiversity } from '../../../src/metrics/quality/intra-bucket-diversity.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { constant, noise, renamed } from './videos.js';

const D = 1 - 0.01 ** 2 / (1 + 0.01 ** 2); // 1 − SSIM(black, white)

test('diversity: identical pair → 0; {black, black, white} → pairs (0, d, d); single video → NaN', () =>
  assertNoLeak(async () => {
    const tex = noise('a0', 'A', 8);
    const videos = [tex, renamed(tex, 'a1'), constant('b0', 'B', 0), constant('b1', 'B', 0), constant('b2', 'B', 255), constant('c0', 'C', 5)];
    const r = await intraBucketDiversity.compute({ fps: 8, videos });
    assertClose(r.perVideo.slice(0, 5).map((p) => p.value), [0, 0, D / 2, D / 2, D], 1e-12);
    assert.ok(Number.isNaN(r.perVideo[5]!.value));
    assert.match(r.perVideo[5]!.note ?? '', /only one/);
    assertClose([r.perVideo[2]!.extra!.captionDiversity as number], [(2 * D) / 3], 1e-12);
    assertClose([r.aggregate, r.aggregates!.captions!], [(0 + (2 * D) / 3) / 2, 2], 1e-12);
    assert.equal(r.aggregates?.reference, undefined);
  }));

test('diversity with a reference reports the reference buckets (cut to the largest generated group)', () =>
  assertNoLeak(async () => {
    const videos = [constant('g0', 'A', 0), constant('g1', 'A', 255)];
    const reference = { name: 'ref', videos: [constant('r0', 'A', 9), constant('r1', 'A', 9), constant('r2', 'A', 255)] };
    const r = await intraBucketDiversity.compute({ fps: 8, videos, reference });
    assertClose([r.aggregate, r.aggregates!.reference!], [D, 0], 1e-12); // only r0, r1 (identical) are compared
  }));

test('diversity without any caption of two videos is NaN', async () => {
  const r = await intraBucketDiversity.compute({ fps: 8, videos: [constant('a', 'A', 1), constant('b', 'B', 2)] });
  assert.ok(Number.isNaN(r.aggregate));
});
