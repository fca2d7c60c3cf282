// Tests for subject_consistency (src/metrics/quality/subject-consistency.ts): VBench's formula
// against a hand computation with a fake FrameEncoder, frame weighting, extractor preference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import type { Tensor } from '../../../src/tensor/index.js';
import { subjectConsistency } from '../../../src/metrics/quality/subject-consistency.js';
import { MetricInputError, type FrameEncoder, type MetricContext } from '../../../src/metrics/types.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { video } from './videos.js';

/** Frame k (every byte = k) ↦ FEATURES[k]; f2 is scaled by 3 to check the L2 normalisation. */
const FEATURES = [[1, 0], [0, 1], [3, 3], [-1, 0]];

class LookupEncoder implements FrameEncoder {
  constructor(readonly name: string) {}
  encodeFrames(frames: Tensor): Tensor {
    assert.equal(frames.dtype, 'uint8');
    assert.equal(frames.size(3), 3); // RGB, gray repeated
    const idx = T.tidy(() => frames.select(3, 0).select(2, 0).select(1, 0).toArray()); // first byte of each frame
    return T.tensor(idx.map((k) => FEATURES[k]!)); // (N, 2)
  }
}

const clip = (id: string, ks: number[]): ReturnType<typeof video> => video(id, 'p', { t: ks.length, h: 2, w: 2, c: 1 }, (t) => ks[t]!);

test('subject_consistency matches the hand computation and is frame-weighted', () =>
  assertNoLeak(async () => {
    // video A = frames f0, f1, f2, f3:
    //   s1 = (max(0, cos(f0,f1)) + max(0, cos(f0,f1)))/2 = (0 + 0)/2 = 0
    //   s2 = (cos(f1,f2) + cos(f0,f2))/2 = (1/√2 + 1/√2)/2 = 1/√2
    //   s3 = (max(0, cos(f2,f3)) + max(0, cos(f0,f3)))/2 = (max(0, −1/√2) + max(0, −1))/2 = 0
    // video B = f0, f0: s1 = 1.   Aggregate = (1/√2 + 1)/(3 + 1), not the mean of per-video values.
    const ctx: MetricContext = { fps: 8, videos: [clip('A', [0, 1, 2, 3]), clip('B', [0, 0]), clip('C', [1])], dino: new LookupEncoder('dino-vitb16') };
    const r = await subjectConsistency.compute(ctx);
    assertClose(r.perVideo.slice(0, 2).map((p) => p.value), [Math.SQRT1_2 / 3, 1], 1e-12);
    assert.ok(Number.isNaN(r.perVideo[2]!.value));
    assertClose([r.aggregate], [(Math.SQRT1_2 + 1) / 4], 1e-12);
    assert.equal(r.extractor, 'dino-vitb16');
    assert.equal(r.settings.features, 'dino');
  }));

test('subject_consistency prefers dino, then clip, then domain, and records which', () =>
  assertNoLeak(async () => {
    const videos = [clip('B', [0, 0])];
    const clipEnc = Object.assign(new LookupEncoder('clip-vit-b32'), { encodeTexts: (): Tensor => { throw new Error('unused'); } });
    const r1 = await subjectConsistency.compute({ fps: 8, videos, clip: clipEnc });
    assert.deepEqual([r1.extractor, r1.settings.features, r1.settings.vbenchExtractor], ['clip-vit-b32', 'clip', false]);
    const r2 = await subjectConsistency.compute({ fps: 8, videos, clip: clipEnc, dino: new LookupEncoder('dino-vitb16') });
    assert.equal(r2.extractor, 'dino-vitb16');
    await assert.rejects(subjectConsistency.compute({ fps: 8, videos }), MetricInputError);
  }));
