import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { SharedDiscriminator, discriminatorLoss, featureMatching } from '../../src/align/shared-discriminator.js';
import { assertNoLeak } from '../helpers/leak.js';

test('D_s has ≈ 133k parameters for d = 64 (Table A.2): 131,969 counted by hand', () => {
  const d = new SharedDiscriminator(64);
  const byHand = (64 * 256 + 256) + (256 * 256 + 256) + (256 * 192 + 192) + (192 + 1);
  assert.equal(byHand, 131969);
  assert.equal(d.numParameters(), byHand);
  assert.ok(Math.abs(byHand - 133000) / 133000 < 0.01);
  assertNoLeak(() => {
    const { logit, feature } = T.tidy(() => d.forward(T.randn([5, 64])));
    assert.deepEqual(logit.shape, [5, 1]);
    assert.deepEqual(feature.shape, [5, 192]);
    logit.dispose();
    feature.dispose();
  });
  d.dispose();
});

test('eq. A.5 and feature matching by hand', () => {
  assertNoLeak(() => {
    // logits 0 → D = 1/2 on both: −log ½ − log ½ = 2 log 2.
    const l0 = T.tidy(() => discriminatorLoss(T.zeros([4, 1]), T.zeros([4, 1])).item());
    assert.ok(Math.abs(l0 - 2 * Math.log(2)) < 1e-6);
    // real logit 2, fake logit −1: −log σ(2) − log(1 − σ(−1)) = log(1 + e^−2) + log(1 + e^−1)
    const l1 = T.tidy(() => discriminatorLoss(T.tensor([[2]]), T.tensor([[-1]])).item());
    assert.ok(Math.abs(l1 - (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(-1)))) < 1e-6);
    // means (1, 2) and (0, 0): ((1)² + (2)²) / 2 = 2.5
    const fm = T.tidy(() => featureMatching(T.tensor([[0, 1], [2, 3]]), T.tensor([[1, -1], [-1, 1]])).item());
    assert.ok(Math.abs(fm - 2.5) < 1e-6, `${fm}`);
  });
});
