// Tests for the bucket metrics b_psnr / b_ssim (src/metrics/quality/bucket-best.ts): the best
// (max) score over the reference videos of the same caption, and only those.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bPsnr } from '../../../src/metrics/quality/b-psnr.js';
import { bSsim } from '../../../src/metrics/quality/b-ssim.js';
import type { MetricContext } from '../../../src/metrics/types.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { constant, noise, renamed } from './videos.js';

test('b_psnr takes the max PSNR over the caption bucket, ignores other captions, NaN without a bucket', () =>
  assertNoLeak(async () => {
    const ctx: MetricContext = {
      fps: 8,
      videos: [constant('g1', 'A', 100), constant('g2', 'B', 100), constant('g3', 'C', 100)],
      reference: {
        name: 'ref',
        videos: [
          constant('a0', 'A', 0), constant('a1', 'A', 90), constant('a2', 'A', 200),
          constant('b0', 'B', 100), constant('b1', 'B', 30),
          constant('x0', 'D', 100), // identical to g1 but another caption: must not count for g1
        ],
      },
    };
    const r = await bPsnr.compute(ctx);
    const best1 = 20 * Math.log10(255 / 10); // |100 − 90| = 10 levels: MSE = (10/255)²
    assertClose(r.perVideo.slice(0, 2).map((p) => p.value), [best1, 100], 1e-9);
    assert.deepEqual(r.perVideo.slice(0, 2).map((p) => [p.extra?.bestMatch, p.extra?.bucketSize]), [['a1', 3], ['b0', 2]]);
    assert.ok(Number.isNaN(r.perVideo[2]!.value));
    assert.match(r.perVideo[2]!.note ?? '', /caption 'C'/);
    assertClose([r.aggregate, r.aggregates!.std!, r.aggregates!.count!], [(best1 + 100) / 2, (100 - best1) / 2, 2], 1e-9);
  }));

test('b_ssim picks the bucket video that equals the generated one (SSIM 1) over noisier matches', () =>
  assertNoLeak(async () => {
    const target = noise('t', 'A', 21);
    const ctx: MetricContext = {
      fps: 8,
      videos: [renamed(target, 'g')],
      reference: { name: 'ref', videos: [noise('r0', 'A', 22), renamed(target, 'r1'), noise('r2', 'A', 23)] },
    };
    const r = await bSsim.compute(ctx);
    assertClose([r.perVideo[0]!.value], [1], 1e-12);
    assert.equal(r.perVideo[0]!.extra?.bestMatch, 'r1');
    const other = await bSsim.compute({ ...ctx, reference: { name: 'ref', videos: [noise('r0', 'A', 22), noise('r2', 'A', 23)] } });
    assert.ok(other.perVideo[0]!.value < 0.5, `independent noise should be dissimilar, got ${other.perVideo[0]!.value}`);
  }));
