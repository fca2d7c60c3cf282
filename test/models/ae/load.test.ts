// loadAutoencoder (src/models/ae/index.ts): a run folder's autoencoder comes back identical and in
// eval mode; missing or damaged files are refused with messages that say what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../../src/tensor/index.js';
import { createAeTask, loadAutoencoder } from '../../../src/models/ae/index.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { INPUT, METRICS, TINY, movingSquares } from './tiny.js';
import { writeRun } from './run-folder.js';

T.setNumThreads(1);

test('loadAutoencoder returns the run\'s autoencoder in eval mode (plain and ae.-prefixed weight keys)', async () => {
  const root = mkdtempSync(join(tmpdir(), 't2v-ae-load-'));
  try {
    await assertNoLeak(async () => {
      for (const arch of ['conv3d-base', 'causal-vae'] as const) {
        for (const prefixed of [false, true]) {
          T.manualSeed(11);
          const task = createAeTask(arch, TINY[arch], INPUT, { lr: 1e-3 }, METRICS);
          const dir = join(root, `${arch}-${prefixed}`);
          writeRun(dir, task, { prefixed });
          const ae = await loadAutoencoder(dir);
          assert.equal(ae.arch, arch);
          assert.equal(ae.training, false);
          task.ae.eval();
          T.noGrad(() => T.tidy(() => {
            const x = movingSquares(2);
            const z = task.ae.encode(x);
            assert.ok(T.equal(ae.encode(x), z));
            assert.ok(T.equal(ae.decode(z), task.ae.decode(z)));
          }));
          ae.dispose();
          task.dispose();
        }
      }
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('loadAutoencoder refuses missing and damaged run folders with clear errors', async () => {
  const root = mkdtempSync(join(tmpdir(), 't2v-ae-load-'));
  try {
    await assertNoLeak(async () => {
      await assert.rejects(loadAutoencoder(join(root, 'nope')), /run folder '.*nope' does not exist; pass the --out folder of a `t2v train ae` run/);
      const task = createAeTask('conv3d-base', TINY['conv3d-base'], INPUT, { lr: 1e-3 }, METRICS);
      const dir = join(root, 'run');
      writeRun(dir, task);
      rmSync(join(dir, 'model', 'ae.safetensors'));
      await assert.rejects(loadAutoencoder(dir), /ae\.safetensors' is missing; the run did not export its weights/);
      rmSync(join(dir, 'model', 'task.json'));
      await assert.rejects(loadAutoencoder(dir), /task\.json' is missing: it is not a trained run folder; pass the --out folder of a `t2v train ae` run, or train one/);
      writeFileSync(join(dir, 'model', 'task.json'), '{"kind": "ae/conv3d-base", ');
      await assert.rejects(loadAutoencoder(dir), /task\.json' is not valid JSON .*train it again/);
      writeFileSync(join(dir, 'model', 'task.json'), JSON.stringify({ kind: 'diffusion/dit', input: INPUT, model: {} }));
      await assert.rejects(loadAutoencoder(dir), /describes a 'diffusion\/dit' run, not a video autoencoder \(kind 'ae\/<arch>'\)/);
      // Weights of a different size than task.json describes.
      const other = createAeTask('conv3d-base', { ...TINY['conv3d-base'], latentDim: 6 }, INPUT, { lr: 1e-3 }, METRICS);
      writeRun(dir, other);
      writeFileSync(join(dir, 'model', 'task.json'), JSON.stringify({ kind: task.kind, ...task.describe() }));
      await assert.rejects(loadAutoencoder(dir), /does not match the conv3d-base autoencoder described by .*size mismatch for to_moments\.weight/s);
      other.dispose();
      task.dispose();
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
