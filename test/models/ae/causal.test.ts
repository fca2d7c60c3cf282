// Causality of the causal 3-D VAE (src/models/ae/causal-vae.ts): changing input frame k leaves
// every latent frame that covers only earlier frames unchanged, and the first latent frame
// depends on frame 0 alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../../src/tensor/index.js';
import { buildAutoencoder } from '../../../src/models/ae/index.js';
import type { CausalVae } from '../../../src/models/ae/causal-vae.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { INPUT, TINY } from './tiny.js';

T.setNumThreads(1);

/** Largest changed value per latent frame when input frame k is changed. */
function latentChange(ae: CausalVae, x: T.Tensor, k: number): number[] {
  return T.noGrad(() => T.tidy(() => {
    const x2 = x.clone();
    x2.narrow(2, k, 1).mulScalar_(0.5).addScalar_(0.3);
    return ae.encode(x).sub(ae.encode(x2)).abs().amax({ dim: [0, 1, 3, 4] }).toArray(); // (t_latent)
  }));
}

for (const pad of ['replicate', 'zeros'] as const) {
  test(`causal-vae (${pad} padding): latent frame j depends on input frames ≤ max(0, 4j − pad) only`, () =>
    assertNoLeak(() => {
      T.manualSeed(5);
      // T = 8 frames → padded to 9 = 1 + 4·2 by one copy of frame 0: latent frame j covers
      // padded frames ≤ 4j, i.e. input frames ≤ max(0, 4j − 1) (latent frame 0 is frame 0 alone).
      const last = (j: number): number => Math.max(0, 4 * j - 1);
      const ae = buildAutoencoder('causal-vae', INPUT, { ...TINY['causal-vae'], pad }) as CausalVae;
      assert.equal(ae.framePad, 1);
      const x = T.rand([1, ...INPUT]);
      for (let k = 0; k < INPUT[1]; k++) {
        const d = latentChange(ae, x, k);
        assert.equal(d.length, 3);
        d.forEach((v, j) => {
          if (last(j) < k) assert.equal(v, 0, `frame ${k} changed latent frame ${j}`);
        });
        const first = d.findIndex((_, j) => last(j) >= k);
        assert.ok(d[first]! > 0, `frame ${k} must change latent frame ${first}`);
      }
      x.dispose();
      ae.dispose();
    }));
}
