// Tests for fvd / kvd plumbing (src/metrics/quality/fvd.ts, kvd.ts, distribution-features.ts):
// which extractor is used and how the result is named, the 16-frame I3D clip, the features the
// distance receives. The distances themselves are injected here (frechet / kvd are tested with
// their own implementation); the registered metrics are checked against closed forms when the
// real implementations are present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import type { Tensor } from '../../../src/tensor/index.js';
import { createFvd, fvd } from '../../../src/metrics/quality/fvd.js';
import { createKvd } from '../../../src/metrics/quality/kvd.js';
import { frechetDistance } from '../../../src/metrics/stats/frechet.js';
import { MetricInputError, type FrameEncoder, type MetricContext, type TextEncoder, type VideoEncoder } from '../../../src/metrics/types.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { constant } from './videos.js';

/** Features (mean byte of the clip, frame count); records the input shapes it saw. */
class FakeVideoEncoder implements VideoEncoder {
  readonly seen: number[][] = [];
  constructor(readonly name: string) {}
  encodeVideos(videos: Tensor): Tensor {
    this.seen.push(videos.shape);
    return T.tidy(() => {
      const mean = videos.toDType('float32').meanDim([1, 2, 3, 4]); // (B)
      return T.stack([mean, T.fullLike(mean, videos.size(1))], { dim: 1 }); // (B, 2)
    });
  }
}

const domainLike = (name: string): FrameEncoder & TextEncoder & VideoEncoder => {
  const enc = new FakeVideoEncoder(name);
  return Object.assign(enc, {
    encodeFrames: (): Tensor => { throw new Error('not used'); },
    encodeTexts: (): Tensor => { throw new Error('not used'); },
  });
};

const shape20 = { t: 20, h: 4, w: 4, c: 1 as 1 | 3 };

function ctxWith(extra: Partial<MetricContext>): MetricContext {
  return {
    fps: 8,
    videos: [constant('g0', 'p', 10, shape20), constant('g1', 'p', 20, shape20), constant('g2', 'p', 30, shape20)],
    reference: { name: 'ref', videos: [constant('r0', 'p', 100, shape20), constant('r1', 'p', 200, shape20)] },
    ...extra,
  };
}

test('fvd with I3D: metric "fvd", 16-frame RGB clips, the distance gets (N, D) generated then reference features', () =>
  assertNoLeak(async () => {
    const i3d = new FakeVideoEncoder('i3d-k400');
    let got: number[][] = [];
    const metric = createFvd((x, y) => {
      got = [x.toArray(), y.toArray()];
      return 42;
    });
    const r = await metric.compute(ctxWith({ i3d, domain: domainLike('domain:x') }));
    assert.equal(r.metric, 'fvd');
    assert.equal(r.extractor, 'i3d-k400');
    assert.equal(r.aggregate, 42);
    assert.deepEqual(r.perVideo, []);
    assert.equal(r.settings.protocol, 'fvd3_16f');
    assert.deepEqual(i3d.seen, [[3, 16, 4, 4, 3], [2, 16, 4, 4, 3]]);
    assert.deepEqual(got, [[10, 16, 20, 16, 30, 16], [100, 16, 200, 16]]);
  }));

test('fvd without I3D uses the domain video tower on whole videos and is named fvd_<extractor>', () =>
  assertNoLeak(async () => {
    const domain = domainLike('domain:single-seed0');
    const r = await createFvd(() => 1).compute(ctxWith({ domain }));
    assert.equal(r.metric, 'fvd_domain:single-seed0');
    assert.equal(r.extractor, 'domain:single-seed0');
    assert.deepEqual((domain as unknown as FakeVideoEncoder).seen[0], [3, 20, 4, 4, 3]);
  }));

test('kvd follows the same plumbing (kvd / kvd_<extractor>)', () =>
  assertNoLeak(async () => {
    let rows = 0;
    const r = await createKvd((x, y) => { rows = x.size(0) + y.size(0); return -0.5; }).compute(ctxWith({ i3d: new FakeVideoEncoder('i3d-k400') }));
    assert.deepEqual([r.metric, r.aggregate, rows, r.higherIsBetter], ['kvd', -0.5, 5, false]);
    const d = await createKvd(() => 0).compute(ctxWith({ domain: domainLike('dm') }));
    assert.equal(d.metric, 'kvd_dm');
  }));

test('fvd errors: no extractor, no reference, clips shorter than 16 frames with I3D', () =>
  assertNoLeak(async () => {
    const metric = createFvd(() => 0);
    await assert.rejects(metric.compute(ctxWith({})), (e: Error) => e instanceof MetricInputError && /--i3d/.test(e.message));
    await assert.rejects(metric.compute({ fps: 8, videos: ctxWith({}).videos, i3d: new FakeVideoEncoder('i3d') }), MetricInputError);
    const short = { t: 8, h: 4, w: 4, c: 1 as 1 | 3 };
    await assert.rejects(
      metric.compute({ ...ctxWith({ i3d: new FakeVideoEncoder('i3d') }), videos: [constant('s', 'p', 1, short)] }),
      (e: Error) => e instanceof MetricInputError && /16 consecutive frames/.test(e.message),
    );
  }));

/** Whether the flow branch's frechetDistance is merged (the placeholder throws 'not implemented'). */
function frechetAvailable(): boolean {
  try {
    T.tidy(() => frechetDistance(T.zeros([2, 1]), T.zeros([2, 1]), { covariance: 'biased' }));
    return true;
  } catch (e) {
    return !/not implemented/.test((e as Error).message);
  }
}

test('registered fvd on one-clip sets = |μ_g − μ_r|² (biased covariances are 0)', { skip: frechetAvailable() ? false : 'needs frechetDistance from the flow branch' }, () =>
  assertNoLeak(async () => {
    const one = { t: 16, h: 4, w: 4, c: 1 as 1 | 3 };
    const r = await fvd.compute({ fps: 8, videos: [constant('g', 'p', 10, one)], reference: { name: 'ref', videos: [constant('r', 'p', 40, one)] }, i3d: new FakeVideoEncoder('i3d-k400') });
    assertClose([r.aggregate], [(40 - 10) ** 2], 1e-6); // features (mean, 16) vs (mean, 16)
  }));
