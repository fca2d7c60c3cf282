// The shipped autoencoder configs (configs/ae/*.json, passed with `t2v train ae --config`) stay
// valid: every key is one the trainer or the architecture knows, and the model builds for the
// 64×64×16 `single` set they were written for, with the latent their comments promise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '../../../src/tensor/index.js';
import { AE_ARCHS, aeSpec, buildAutoencoder } from '../../../src/models/ae/index.js';
import { resolveTrainerConfig } from '../../../src/train/config.js';
import { assertNoLeak } from '../../helpers/leak.js';

T.setNumThreads(1);

const DIR = 'configs/ae';
const INPUT = [1, 16, 64, 64] as const;
/** Per-video latent of each shipped config at 64×64×16 (by hand: strides and channels of the file). */
const LATENT: Record<string, number[]> = {
  'conv3d-base-60min.json': [64], // d_z = 64
  'conv3d-base-l1-continue.json': [64], // the same model, continued with the paper's L1 alone (--init)
  'conv3d-base-dfeat-continue.json': [64], // the same model again, + the domain-feature term (--domain-feat)
  'unet3d-60min.json': [128], // d_z = 128
  'unet3d-patch-60min.json': [128], // d_z = 128 (patch 4 changes the conv_out map, not d_z)
  'causal-vae-64.json': [16, 5, 8, 8], // 16 channels; 1 + 15/4 → 5 frames; 64/8 = 8
};

test('every configs/ae file resolves under its architecture\'s quick preset and builds at 64×64×16', () =>
  assertNoLeak(() => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(files, Object.keys(LATENT).sort(), 'a new config needs its expected latent here');
    for (const file of files) {
      const arch = AE_ARCHS.find((a) => file.startsWith(`${a}-`));
      assert.ok(arch, `${file}: the name must start with an architecture (${AE_ARCHS.join(', ')})`);
      const given = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { train: Record<string, unknown>; model: Record<string, unknown> };
      const preset = aeSpec(arch).defaults('quick');
      const cfg = resolveTrainerConfig([
        { name: 'preset quick', value: { train: preset.train, model: preset.model } },
        { name: file, value: given },
        { name: 'data', value: { data: { dir: '/data/single' } } },
      ]);
      for (const [k, v] of Object.entries(given.train)) assert.deepEqual((cfg.train as unknown as Record<string, unknown>)[k], v, `${file}: train.${k}`);
      T.manualSeed(0);
      const ae = buildAutoencoder(arch, INPUT, cfg.model);
      try {
        assert.deepEqual(ae.latentShape(INPUT), LATENT[file], file);
        assert.ok(ae.numParameters() > 0);
      } finally {
        ae.dispose();
      }
    }
  }));
