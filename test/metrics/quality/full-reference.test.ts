// Tests for the one-to-one full-reference metrics psnr and ssim (src/metrics/quality/psnr.ts,
// ssim.ts, full-reference.ts): closed forms, the pairing rule (id, else index), user errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { psnr } from '../../../src/metrics/quality/psnr.js';
import { ssim } from '../../../src/metrics/quality/ssim.js';
import { MetricInputError, type MetricContext } from '../../../src/metrics/types.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { constant, noise, renamed, video } from './videos.js';

const C1 = 0.01 ** 2;

test('psnr pairs by id: identical → 100, black vs white → 0; mean and std over videos', () =>
  assertNoLeak(async () => {
    const tex = noise('b', 'p', 1);
    const ctx: MetricContext = {
      fps: 8,
      videos: [constant('a', 'p', 0), tex],
      reference: { name: 'ref', videos: [renamed(tex, 'b'), constant('a', 'p', 255), constant('z', 'p', 9)] },
    };
    const r = await psnr.compute(ctx);
    assert.equal(r.metric, 'psnr');
    assert.deepEqual(r.perVideo.map((p) => [p.id, p.value, p.extra?.referenceId]), [['a', 0, 'a'], ['b', 100, 'b']]);
    assert.equal(r.aggregate, 50);
    assert.equal(r.aggregates?.std, 50);
    assert.equal(r.settings.pairing, 'id');
    assert.equal(r.higherIsBetter, true);
  }));

test('psnr pairs by index when ids differ and the counts agree; a 10-level offset gives 20·log10(25.5) dB', () =>
  assertNoLeak(async () => {
    const ctx: MetricContext = {
      fps: 8,
      videos: [constant('g0', 'p', 100), constant('g1', 'p', 7)],
      reference: { name: 'ref', videos: [constant('r0', 'p', 110), constant('r1', 'p', 7)] },
    };
    const r = await psnr.compute(ctx);
    assert.equal(r.settings.pairing, 'index');
    assertClose(r.perVideo.map((p) => p.value), [20 * Math.log10(255 / 10), 100], 1e-9);
  }));

test('psnr / ssim: no reference, unpairable sets and different sizes are user errors', () =>
  assertNoLeak(async () => {
    const gen = [constant('a', 'p', 0)];
    await assert.rejects(psnr.compute({ fps: 8, videos: gen }), MetricInputError);
    await assert.rejects(
      psnr.compute({ fps: 8, videos: gen, reference: { name: 'ref', videos: [constant('x', 'p', 0), constant('y', 'p', 0)] } }),
      (e: Error) => e instanceof MetricInputError && /cannot pair/.test(e.message),
    );
    const small = constant('a', 'p', 0, { t: 2, h: 12, w: 12, c: 1 });
    const big = constant('a', 'p', 0, { t: 2, h: 16, w: 12, c: 1 });
    await assert.rejects(ssim.compute({ fps: 8, videos: [small], reference: { name: 'ref', videos: [big] } }), MetricInputError);
  }));

test('ssim: black vs white = C1/(1+C1); a gray video against its RGB copy = 1', () =>
  assertNoLeak(async () => {
    const gray = noise('g', 'p', 4);
    const rgb = video('g', 'p', { t: 2, h: 12, w: 12, c: 3 }, (t, y, x) => gray.video.data[(t * 12 + y) * 12 + x]!);
    const r = await ssim.compute({ fps: 8, videos: [constant('k', 'p', 0), gray], reference: { name: 'ref', videos: [constant('k', 'p', 255), rgb] } });
    assertClose(r.perVideo.map((p) => p.value), [C1 / (1 + C1), 1], 1e-12);
    assert.equal(r.settings.window, 11);
  }));
