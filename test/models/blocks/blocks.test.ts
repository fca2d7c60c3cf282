// Shared video layers (src/models/blocks): causal padding by hand computation, per-frame
// normalisation statistics, causal resampling values, attention scope, KL closed form,
// float64 gradient checks of the residual and attention blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import {
  AttnBlock3d, CausalConv3d, ConvNormAct3d, Downsample3d, FrameGroupNorm, ResBlock3d, Upsample3d,
  causalTimeHalve, klStdNormal, normGroups, posteriorFromMoments, samplePosterior,
} from '../../../src/models/blocks/index.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { gradcheck } from '../../helpers/gradcheck.js';

T.setNumThreads(1);

/** A (1, 1, T, 1, 1) video with the given frame values. */
const frames = (v: number[]): T.Tensor => T.tensor(v, { shape: [1, 1, v.length, 1, 1] });

test('normGroups picks the largest divisor up to the maximum', () => {
  assert.equal(normGroups(64), 32);
  assert.equal(normGroups(48), 24);
  assert.equal(normGroups(7), 7);
  assert.equal(normGroups(12, 8), 6);
  assert.equal(normGroups(1), 1);
});

test('CausalConv3d pads the past only: hand-computed outputs for replicate and zero padding', () =>
  assertNoLeak(() => {
    for (const pad of ['replicate', 'zeros'] as const) {
      const c = new CausalConv3d(1, 1, [3, 1, 1], { pad });
      T.noGrad(() => T.tidy(() => {
        c.conv.weight.copy_(T.tensor([1, 10, 100], { shape: [1, 1, 3, 1, 1] })); // w on frames t−2, t−1, t
        c.conv.bias!.fill_(0.5);
      }));
      const y = T.noGrad(() => T.tidy(() => c.forward(frames([1, 2, 3, 4])).toArray()));
      // y_t = x_{t−2} + 10·x_{t−1} + 100·x_t + 0.5, with x_{−1}, x_{−2} = x_0 (replicate) or 0.
      const past = pad === 'replicate' ? [1, 1] : [0, 0];
      const x = [...past, 1, 2, 3, 4];
      const want = [0, 1, 2, 3].map((t) => x[t]! + 10 * x[t + 1]! + 100 * x[t + 2]! + 0.5);
      assertClose(y, want, 1e-4, 0, `CausalConv3d ${pad}`);
      c.dispose();
    }
  }));

test('CausalConv3d: changing frame k leaves every earlier output frame unchanged (stride 1 and 2)', () =>
  assertNoLeak(() => {
    T.manualSeed(1);
    for (const stride of [1, 2] as const) {
      const c = new CausalConv3d(2, 3, 3, { stride: [stride, 1, 1] });
      T.noGrad(() => T.tidy(() => {
        const x = T.randn([1, 2, 9, 4, 4]);
        const k = 5;
        const x2 = x.clone();
        x2.narrow(2, k, 1).addScalar_(1);
        const a = c.forward(x);
        const b = c.forward(x2);
        assert.deepEqual(a.shape, [1, 3, stride === 1 ? 9 : 5, 4, 4]);
        const diff = a.sub(b).abs().amax({ dim: [0, 1, 3, 4] }).toArray(); // per output frame
        diff.forEach((d, j) => {
          if (j * stride < k) assert.equal(d, 0, `stride ${stride}: output frame ${j} (inputs ≤ ${j * stride}) changed`);
        });
        assert.ok(diff[Math.ceil(k / stride)]! > 0, 'the first frame that sees frame k must change');
      }));
      c.dispose();
    }
  }));

test('FrameGroupNorm normalises each frame on its own (zero mean, unit variance per frame and group)', () =>
  assertNoLeak(() => {
    T.manualSeed(2);
    const n = new FrameGroupNorm(2, 4);
    T.noGrad(() => T.tidy(() => {
      // Frames with very different scales: a clip-wide norm would not give each frame unit variance.
      const x = T.randn([2, 4, 3, 5, 5]).mul(T.tensor([1, 10, 100], { shape: [1, 1, 3, 1, 1] })).addScalar(3);
      const y = n.forward(x).reshape([2, 2, 2, 3, 25]).transpose(2, 3).reshape([2, 2, 3, 50]); // (B, G, T, C/G·H·W)
      assertClose(y.meanDim(-1).flatten().toArray(), new Array(12).fill(0), 1e-4);
      assertClose(y.variance(-1, { correction: 0 }).flatten().toArray(), new Array(12).fill(1), 1e-3);
    }));
    n.dispose();
  }));

test('causalTimeHalve keeps the first frame and averages the following pairs', () =>
  assertNoLeak(() => T.tidy(() => {
    assertClose(causalTimeHalve(frames([0, 1, 2, 3, 4])).toArray(), [0, 1.5, 3.5]);
    assertClose(causalTimeHalve(frames([0, 1, 2, 3])).toArray(), [0.5, 2.5]);
    assertClose(causalTimeHalve(frames([7])).toArray(), [7]);
  })));

test('Downsample3d / Upsample3d shapes: centred and causal, with and without time', () =>
  assertNoLeak(() => {
    const cases: [Downsample3d | Upsample3d, number[], number[]][] = [
      [new Downsample3d(2, { temporal: false }), [1, 2, 4, 8, 8], [1, 2, 4, 4, 4]],
      [new Downsample3d(2, { temporal: true }), [1, 2, 4, 8, 8], [1, 2, 2, 4, 4]],
      [new Downsample3d(2, { temporal: true, causal: true }), [1, 2, 9, 8, 8], [1, 2, 5, 4, 4]],
      [new Upsample3d(2, { temporal: true }), [1, 2, 2, 4, 4], [1, 2, 4, 8, 8]],
      [new Upsample3d(2, { temporal: true, causal: true }), [1, 2, 5, 4, 4], [1, 2, 9, 8, 8]],
      [new Upsample3d(2, { temporal: false, causal: true }), [1, 2, 5, 4, 4], [1, 2, 5, 8, 8]],
    ];
    for (const [m, inp, out] of cases) {
      assert.deepEqual(T.noGrad(() => T.tidy(() => m.forward(T.zeros(inp)).shape)), out, m.toString());
      m.dispose();
    }
  }));

test("AttnBlock3d 'frame' scope keeps frames independent; 'clip' mixes them", () =>
  assertNoLeak(() => {
    T.manualSeed(3);
    for (const scope of ['frame', 'clip'] as const) {
      const a = new AttnBlock3d(4, { scope, maxGroups: 2 });
      T.noGrad(() => T.tidy(() => {
        const x = T.randn([1, 4, 3, 2, 2]);
        const x2 = x.clone();
        x2.narrow(2, 2, 1).addScalar_(1); // change the last frame
        const d0 = a.forward(x).sub(a.forward(x2)).narrow(2, 0, 1).abs().max().item(); // change seen in frame 0
        if (scope === 'frame') assert.equal(d0, 0);
        else assert.ok(d0 > 0);
      }));
      a.dispose();
    }
  }));

test('ResBlock3d (centred and causal) and AttnBlock3d pass a float64 gradient check', () =>
  assertNoLeak(() => {
    T.manualSeed(4);
    const blocks = [new ResBlock3d(2, 4, { maxGroups: 2 }), new ResBlock3d(2, 2, { causal: true, maxGroups: 2 }), new AttnBlock3d(2, { maxGroups: 1 })];
    for (const b of blocks) {
      b.double();
      const x = T.randn([1, 2, 2, 2, 2], { dtype: 'float64' }).requiresGrad_();
      const first = [...b.namedParameters()][0]!; // conv1 / norm weight
      const r = gradcheck(() => b.forward(x), new Map([['x', x], [first[0], first[1]]]), { atol: 1e-6, rtol: 1e-4 });
      assert.ok(r.checked > 16);
      x.dispose();
      b.dispose();
    }
  }));

test('ConvNormAct3d halves (T, H, W) with kernel 4, stride 2, padding 1 and doubles them transposed', () =>
  assertNoLeak(() => {
    const d = new ConvNormAct3d(1, 4, { kernel: 4, stride: 2, padding: 1 });
    const u = new ConvNormAct3d(4, 1, { kernel: 4, stride: 2, padding: 1, transposed: true, norm: 'none', act: 'none' });
    T.noGrad(() => T.tidy(() => {
      const h = d.forward(T.zeros([2, 1, 8, 16, 16]));
      assert.deepEqual(h.shape, [2, 4, 4, 8, 8]);
      assert.deepEqual(u.forward(h).shape, [2, 1, 8, 16, 16]);
    }));
    assert.deepEqual([...d.namedParameters().keys()], ['conv.weight', 'norm.weight', 'norm.bias']);
    assert.deepEqual([...u.namedParameters().keys()], ['conv.weight', 'conv.bias']);
    d.dispose();
    u.dispose();
  }));

test('Gaussian posterior: KL matches the closed form, sampling with σ → 0 returns μ', () =>
  assertNoLeak(() => T.tidy(() => {
    // Rows: (μ, log σ²) = (1, 0) and (0, log 2): KL = ½(1 + 1 − 1 − 0) + ½(0 + 2 − 1 − log 2).
    const p = posteriorFromMoments(T.tensor([[1, 0, 0, Math.log(2)]], { dtype: 'float64' })); // (1, 2·2)
    assertClose([klStdNormal(p).item()], [0.5 + 0.5 * (1 - Math.log(2))], 1e-12);
    const q = posteriorFromMoments(T.tensor([[0.25, -2, -100, -100]])); // log σ² clamped to −30
    assertClose(q.logvar.toArray(), [-30, -30]);
    assertClose(samplePosterior(q).toArray(), [0.25, -2], 1e-5);
  })));
