// Tests for src/nn/attention.ts (and T.scaledDotProductAttention, which it uses): PyTorch's
// parameter names and init, a single-head example worked by hand, a per-head reference written
// out with matmul/softmax, mask semantics (true = may not attend), layouts, and float64 gradchecks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { MultiheadAttention } from '../../src/nn/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertNoLeak } from '../helpers/leak.js';
import { assertClose } from '../helpers/close.js';

const shapes = (m: MultiheadAttention): [string, number[]][] => [...m.namedParameters()].map(([k, p]) => [k, p.shape]);

/** Random weights and biases (biases start at zero otherwise), float64. */
function randomMha(E: number, H: number, opts: { batchFirst?: boolean } = {}): MultiheadAttention {
  const mha = new MultiheadAttention(E, H, opts).double();
  T.noGrad(() => mha.parameters().forEach((p) => p.normal_({ std: 0.5 })));
  return mha;
}

test("MultiheadAttention parameters: ['in_proj_weight','in_proj_bias','out_proj.weight','out_proj.bias']", () =>
  assertNoLeak(() => {
    const mha = new MultiheadAttention(8, 2);
    assert.deepEqual(shapes(mha), [['in_proj_weight', [24, 8]], ['in_proj_bias', [24]], ['out_proj.weight', [8, 8]], ['out_proj.bias', [8]]]);
    const cross = new MultiheadAttention(8, 2, { kdim: 6, vdim: 4 });
    assert.deepEqual(shapes(cross), [
      ['q_proj_weight', [8, 8]], ['k_proj_weight', [8, 6]], ['v_proj_weight', [8, 4]],
      ['in_proj_bias', [24]], ['out_proj.weight', [8, 8]], ['out_proj.bias', [8]],
    ]);
    const noBias = new MultiheadAttention(8, 2, { bias: false });
    assert.deepEqual([...noBias.namedParameters().keys()], ['in_proj_weight', 'out_proj.weight']);
    assert.throws(() => new MultiheadAttention(10, 3), /embed_dim \(10\) must be divisible by num_heads \(3\)/);
    for (const m of [mha, cross, noBias]) m.dispose();
  }));

test('MultiheadAttention init: xavier_uniform in_proj, zero biases, Linear default out_proj', () =>
  assertNoLeak(() => {
    T.manualSeed(12);
    const mha = new MultiheadAttention(16, 4);
    const xavier = Math.sqrt(6 / (16 + 48)); // fan_in 16, fan_out 3·16
    const w = mha.getParameter('in_proj_weight').toArray();
    assert.ok(w.every((v) => Math.abs(v) <= xavier) && Math.max(...w.map(Math.abs)) > 0.9 * xavier);
    assert.ok(mha.getParameter('in_proj_bias').toArray().every((v) => v === 0));
    assert.ok(mha.outProj.bias!.toArray().every((v) => v === 0));
    assert.ok(mha.outProj.weight.toArray().every((v) => Math.abs(v) <= 1 / 4));
    mha.dispose();
  }));

test('single head with identity projections: softmax(x xᵀ/√2) x by hand', () =>
  assertNoLeak(() => {
    const mha = new MultiheadAttention(2, 1);
    T.tidy(() => {
      const I = T.eye(2); // (2, 2)
      mha.loadStateDict(new Map([
        ['in_proj_weight', T.cat([I, I, I])], // (6, 2)
        ['in_proj_bias', T.zeros([6])],
        ['out_proj.weight', I],
        ['out_proj.bias', T.zeros([2])],
      ]));
      const x = T.tensor([[[1, 0]], [[0, 1]]]); // (L=2, N=1, E=2)
      const y = mha.forward(x, x, x); // (2, 1, 2)
      assert.deepEqual(y.shape, [2, 1, 2]);
      // scores = [[1, 0], [0, 1]]/√2, so row 0 weights [p, 1 − p] with p = σ(1/√2)
      const p = 1 / (1 + Math.exp(-1 / Math.SQRT2));
      assertClose(y.toArray(), [p, 1 - p, 1 - p, p], 1e-6);
    });
    mha.dispose();
  }));

test('two heads match a per-head reference written with matmul and softmax', () =>
  assertNoLeak(() => {
    T.manualSeed(13);
    const [E, H, D, N, L, S] = [4, 2, 2, 2, 3, 5];
    const mha = randomMha(E, H, { batchFirst: true });
    T.tidy(() => {
      const q = T.randn([N, L, E], { dtype: 'float64' });
      const k = T.randn([N, S, E], { dtype: 'float64' });
      const v = T.randn([N, S, E], { dtype: 'float64' });
      const W = mha.getParameter('in_proj_weight'); // (3E, E)
      const b = mha.getParameter('in_proj_bias'); // (3E)
      const proj = (x: T.Tensor, part: number, h: number): T.Tensor =>
        x.matmul(W.narrow(0, part * E + h * D, D).t()).add(b.narrow(0, part * E + h * D, D)); // (N, len, D)
      const heads = [];
      for (let h = 0; h < H; h++) {
        const scores = proj(q, 0, h).matmul(proj(k, 1, h).transpose(1, 2)).divScalar(Math.sqrt(D)); // (N, L, S)
        heads.push(scores.softmax(-1).matmul(proj(v, 2, h))); // (N, L, D)
      }
      const expected = T.cat(heads, { dim: 2 }).matmul(mha.outProj.weight.t()).add(mha.outProj.bias!); // (N, L, E)
      assertClose(mha.forward(q, k, v).toArray(), expected.toArray(), 1e-12);
    });
    mha.dispose();
  }));

test('batchFirst and the default (L, N, E) layout give the same result; unbatched (L, E) works', () =>
  assertNoLeak(() => {
    T.manualSeed(14);
    const bf = randomMha(4, 2, { batchFirst: true });
    const seq = new MultiheadAttention(4, 2).double();
    T.tidy(() => {
      seq.loadStateDict(bf.stateDict());
      const x = T.randn([2, 3, 4], { dtype: 'float64' }); // (N, L, E)
      const a = bf.forward(x, x, x); // (N, L, E)
      const xt = x.transpose(0, 1); // (L, N, E)
      const b = seq.forward(xt, xt, xt); // (L, N, E)
      assert.deepEqual(b.shape, [3, 2, 4]);
      assertClose(a.toArray(), b.transpose(0, 1).contiguous().toArray(), 1e-12);
      const x0 = x.select(0, 0); // (L, E)
      assertClose(bf.forward(x0, x0, x0).toArray(), a.select(0, 0).toArray(), 1e-12);
    });
    bf.dispose();
    seq.dispose();
  }));

test('key padding mask (bool or −∞) is the same as leaving the padded keys out', () =>
  assertNoLeak(() => {
    T.manualSeed(15);
    const mha = randomMha(4, 2, { batchFirst: true });
    T.tidy(() => {
      const q = T.randn([2, 3, 4], { dtype: 'float64' });
      const kv = T.randn([2, 5, 4], { dtype: 'float64' });
      const pad = T.tensor([[false, false, false, true, true], [false, false, false, false, false]], { dtype: 'bool' }); // (N, S)
      const y = mha.forward(q, kv, kv, { keyPaddingMask: pad }); // (N, L, E)
      const q0 = q.narrow(0, 0, 1);
      const kv0 = kv.narrow(0, 0, 1).narrow(1, 0, 3);
      assertClose(y.narrow(0, 0, 1).contiguous().toArray(), mha.forward(q0, kv0, kv0).toArray(), 1e-12);
      assertClose(y.narrow(0, 1, 1).contiguous().toArray(), mha.forward(q.narrow(0, 1, 1), kv.narrow(0, 1, 1), kv.narrow(0, 1, 1)).toArray(), 1e-12);
      const floatPad = T.zeros([2, 5], { dtype: 'float64' }).maskedFill(pad, Number.NEGATIVE_INFINITY);
      assertClose(mha.forward(q, kv, kv, { keyPaddingMask: floatPad }).toArray(), y.toArray(), 1e-12);
    });
    mha.dispose();
  }));

test('causal: true equals a bool attn_mask with true above the diagonal; later tokens do not affect earlier outputs', () =>
  assertNoLeak(() => {
    T.manualSeed(16);
    const mha = randomMha(4, 2, { batchFirst: true });
    T.tidy(() => {
      const x = T.randn([1, 4, 4], { dtype: 'float64' });
      const causal = mha.forward(x, x, x, { causal: true }); // (1, 4, 4)
      const future = T.ones([4, 4], { dtype: 'bool' }).triu({ diagonal: 1 }); // (L, S), true = may not attend
      assertClose(mha.forward(x, x, x, { attnMask: future }).toArray(), causal.toArray(), 1e-12);
      // per-head 3-D mask (N·H, L, S) with the same pattern
      const perHead = future.unsqueeze(0).expand([2, 4, 4]).contiguous();
      assertClose(mha.forward(x, x, x, { attnMask: perHead }).toArray(), causal.toArray(), 1e-12);
      // changing the last token changes only the last output row
      const x2 = T.cat([x.narrow(1, 0, 3), T.randn([1, 1, 4], { dtype: 'float64' })], { dim: 1 });
      const changed = mha.forward(x2, x2, x2, { causal: true });
      assertClose(changed.narrow(1, 0, 3).contiguous().toArray(), causal.narrow(1, 0, 3).contiguous().toArray(), 1e-12);
      assert.ok(Math.abs(changed.select(1, 3).sum().item() - causal.select(1, 3).sum().item()) > 1e-6);
    });
    mha.dispose();
  }));

test('MultiheadAttention float64 gradcheck with key padding and attention masks', () =>
  assertNoLeak(() => {
    T.manualSeed(17);
    const mha = randomMha(4, 2, { batchFirst: true });
    const q = T.randn([2, 3, 4], { dtype: 'float64' }).requiresGrad_(true); // (N, L, E)
    const k = T.randn([2, 3, 4], { dtype: 'float64' }).requiresGrad_(true); // (N, S, E)
    const v = T.randn([2, 3, 4], { dtype: 'float64' }).requiresGrad_(true); // (N, S, E)
    const keyPaddingMask = T.tensor([[false, false, true], [false, false, false]], { dtype: 'bool' }); // (N, S)
    const attnMask = T.tensor([[false, true, false], [false, false, false], [true, false, false]], { dtype: 'bool' }); // (L, S)
    const wrt = new Map([['q', q], ['k', k], ['v', v], ...mha.namedParameters()]);
    const r = gradcheck(() => mha.forward(q, k, v, { keyPaddingMask, attnMask }), wrt);
    assert.equal(r.checked, 3 * 24 + 48 + 12 + 16 + 4);
    for (const t of [q, k, v, keyPaddingMask, attnMask]) t.dispose();
    mha.dispose();
  }));

test('scaledDotProductAttention float64 gradcheck with a causal mask', () =>
  assertNoLeak(() => {
    T.manualSeed(18);
    const [q, k, v] = [0, 1, 2].map(() => T.randn([1, 2, 3, 4], { dtype: 'float64' }).requiresGrad_(true)); // (B, H, L, E)
    const r = gradcheck(() => T.scaledDotProductAttention(q!, k!, v!, { causal: true }), new Map([['q', q!], ['k', k!], ['v', v!]]));
    assert.equal(r.checked, 72);
    for (const t of [q, k, v]) t!.dispose();
  }));
