// FVMD: histogram features checked by hand, tracks of a known translation, and the distance on
// smooth versus jittered motion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { cubeHistograms, fvmdFeatures, motionFeatures } from '../../../src/metrics/motion/fvmd-features.js';
import { fvmd } from '../../../src/metrics/motion/fvmd.js';
import { MetricInputError, type EvalVideo } from '../../../src/metrics/types.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { assertClose } from '../../helpers/close.js';
import { evalVideo, renderFrames, rng, texture, toVideo } from '../../flow/textures.js';

const H = 64;
const W = 64;

/** A (1, 16, 400, 2) field with every vector equal to (dx, dy). */
function constantField(dx: number, dy: number): T.Tensor {
  return T.tensor([dx, dy], { dtype: 'float64' }).view([1, 1, 1, 2]).expand([1, 16, 400, 2]).contiguous();
}

test('cube histograms: bin ⌊(atan2(dx, dy) + π)/(π/4)⌋ weighted by ⌈log2(|v| + 1)⌉/8, 100 vectors per cube', () => {
  assertNoLeak(() => T.tidy(() => {
    // (1, 0): atan2(1, 0) = π/2 → bin 6, weight ⌈log2 2⌉/8 = 1/8 → 12.5 per cube
    const h1 = cubeHistograms(constantField(1, 0)).view([64, 8]);
    assertClose(h1.select(1, 6).toArray(), Array(64).fill(12.5), 1e-12);
    assert.equal(h1.sum().item(), 64 * 12.5);
    // (0, −3): atan2(0, −3) = π → bin 8, clipped to 7; weight ⌈log2 4⌉/8 = 1/4 → 25
    const h2 = cubeHistograms(constantField(0, -3)).view([64, 8]);
    assertClose(h2.select(1, 7).toArray(), Array(64).fill(25), 1e-12);
    // |v| = 1000 clips at 255: ⌈log2 256⌉/8 = 1; zero vectors weigh nothing
    assert.equal(cubeHistograms(constantField(-1000, 0)).sum().item(), 64 * 100);
    assert.equal(cubeHistograms(constantField(0, 0)).sum().item(), 0);
  }));
});

test('a constant-velocity track has zero acceleration and velocity histograms in one bin', () => {
  assertNoLeak(() => T.tidy(() => {
    // positions p_t = p_0 + t·(4, 2) (integers, so differences are exact): v = (4, 2) for t ≥ 1
    // (v_0 = 0), a = 0. (Any rounding noise in a would count: ⌈log2(1 + 1e-15)⌉ = 1.)
    const t = T.arange(0, 16).double().view([1, 16, 1, 1]); // (1, 16, 1, 1)
    const p0 = T.arange(0, 800).double().view([1, 1, 400, 2]); // (1, 1, 400, 2)
    const track = p0.add(t.mul(T.tensor([4, 2], { dtype: 'float64' }))); // (1, 16, 400, 2)
    const f = motionFeatures(track); // (1, 1024)
    assert.deepEqual(f.shape, [1, 1024]);
    assert.equal(f.narrow(1, 512, 512).abs().sum().item(), 0);
    // atan2(4, 2) = 1.107 → bin 5; ⌈log2 5.47⌉/8 = 3/8; 16·400 velocity vectors, the 400 of t = 0 zero
    const v = f.narrow(1, 0, 512).view([64, 8]);
    assert.equal(v.select(1, 5).sum().item(), 6000 * 0.375);
    assert.equal(v.sum().item(), 6000 * 0.375);
  }));
});

test('tracks of a translated texture give its velocity in 256×256 coordinates', () => {
  const tex = texture(21);
  const video = toVideo(renderFrames(17, H, W, (t, x, y) => tex(x - t, y - 0.5 * t)), 17, H, W); // (1, 0.5) px/frame
  assertNoLeak(() => T.tidy(() => {
    const { features, windows } = fvmdFeatures([evalVideo('pan', video)]);
    assert.deepEqual(windows, [2]);
    assert.deepEqual(features.shape, [2, 1024]);
    // velocity (4, 2) in the 256 frame → bin 5, weight 3/8: bin 5 holds ≥ 90% of the velocity mass
    const v = features.narrow(1, 0, 512).view([2, 64, 8]);
    const share = v.select(2, 5).sum().item() / v.sum().item();
    assert.ok(share > 0.9, `share in bin 5: ${share}`);
  }));
});

/**
 * Videos of 17 frames (2 windows) drifting at about (1, 0.5) px/frame: steadily, or with a random
 * ±2 px camera shake on top.
 */
function videos(kind: 'smooth' | 'shake', seeds: number[]): EvalVideo[] {
  return seeds.map((seed) => {
    const tex = texture(seed);
    const r = rng(seed);
    const [vx, vy] = [0.8 + 0.4 * r(), 0.4 + 0.2 * r()];
    const jitter = Array.from({ length: 17 }, () => (kind === 'shake' ? [Math.round(r() * 4 - 2), Math.round(r() * 4 - 2)] : [0, 0]));
    const frames = renderFrames(17, H, W, (t, x, y) => tex(x - vx * t - jitter[t]![0]!, y - vy * t - jitter[t]![1]!));
    return evalVideo(`${kind}${seed}`, toVideo(frames, 17, H, W));
  });
}

test('FVMD: identical sets give 0, jittered motion is farther from smooth references than smooth motion', async () => {
  const reference = { name: 'smooth-ref', videos: videos('smooth', [1, 2, 3, 4]) };
  const smooth = videos('smooth', [5, 6, 7, 8]);
  const shake = videos('shake', [9, 10, 11, 12]);
  await assertNoLeak(async () => {
    const same = await fvmd.compute({ videos: reference.videos, reference, fps: 8 });
    assert.ok(Math.abs(same.aggregate) < 1e-6, `${same.aggregate}`);
    const a = await fvmd.compute({ videos: smooth, reference, fps: 8 });
    const b = await fvmd.compute({ videos: shake, reference, fps: 8 });
    assert.ok(b.aggregate > 2 * a.aggregate && a.aggregate > 0, `shake ${b.aggregate} vs smooth ${a.aggregate}`);
    assert.equal(a.aggregates!.generatedWindows, 8);
    assert.ok(Number.isNaN(a.perVideo[0]!.value) && a.perVideo[0]!.extra!.windows === 2);
  });
});

test('FVMD explains missing inputs', async () => {
  const short = evalVideo('short', toVideo(new Float32Array(8 * H * W), 8, H, W));
  await assertNoLeak(async () => {
    await assert.rejects(fvmd.compute({ videos: [short], fps: 8 }), MetricInputError);
    await assert.rejects(fvmd.compute({ videos: [short], reference: { name: 'r', videos: [short] }, fps: 8 }), /at least 2 windows of 16 frames/);
  });
});
