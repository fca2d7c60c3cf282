// Tests for src/diffusion/load.ts over a micro run trained with stand-in frozen pieces: the
// weights loaded are the saved ones, nothing leaks, and mismatched or missing pieces are
// errors that say which path and which flag.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTensors } from '../../src/io/tensors.js';
import { loadDiffusionRun, RunLoadError, type FrozenLoaders } from '../../src/diffusion/load.js';
import { HashTextConditioner, PoolAutoencoder } from '../../src/diffusion/stand-ins.js';
import { assertNoLeak } from '../helpers/leak.js';
import { makeWorld, trainMicro, type DiffusionWorld } from '../cli/commands/diffusion-run.js';

let w: DiffusionWorld;
let run = '';
before(async () => {
  w = await makeWorld('t2v-load-diffusion-');
  run = join(w.root, 'run');
  assert.equal(await trainMicro(w, run, ['--steps', '2']), 0);
});

test('loads the saved denoiser weights, the calibration and the recorded pieces; dispose frees all', async () => {
  await assertNoLeak(async () => {
    const r = await loadDiffusionRun(run, { loaders: w.loaders });
    const task = JSON.parse(readFileSync(join(run, 'model', 'task.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(r.kind, 'diffusion/dit');
    assert.equal(r.latentScale, task['latentScale']);
    assert.equal(r.latentShift, task['latentShift']);
    assert.equal(r.scheduler['predictionType'], 'v_prediction');
    assert.deepEqual(r.sample, { sampler: 'ddim', steps: 10, guidance: 3, eta: 0 });
    assert.equal(r.aeRun, w.ae);
    assert.deepEqual(r.conditionerSpec, { kind: 'text', dir: w.text });
    assert.equal(r.denoiser.training, false);
    const { tensors } = loadTensors(join(run, 'model', 'denoiser.safetensors'));
    const state = r.denoiser.stateDict();
    assert.deepEqual([...state.keys()].sort(), [...tensors.keys()].sort());
    for (const [k, t] of tensors) assert.deepEqual(state.get(k)!.toFloat32Array(), t.toFloat32Array(), k);
    for (const t of [...tensors.values(), ...state.values()]) t.dispose();
    r.dispose();
  });
});

test('another autoencoder or a text encoder of another width is refused, naming the flag', async () => {
  const otherAe: FrozenLoaders = { ...w.loaders, loadAutoencoder: async () => new PoolAutoencoder([1, 8, 8]) };
  await assert.rejects(loadDiffusionRun(run, { loaders: otherAe }), (e: unknown) =>
    e instanceof RunLoadError && /differs from the one .* was trained on in factors.*pass --ae RUN/.test(e.message));
  await assert.rejects(loadDiffusionRun(run, { loaders: otherAe, ae: w.ae }), /factors: the --ae run is not the autoencoder this run was trained on/);
  const wide: FrozenLoaders = { ...w.loaders, loadConditioner: async () => new HashTextConditioner(16, 8) };
  await assert.rejects(loadDiffusionRun(run, { loaders: wide }), /is 16 wide but the denoiser of .* expects 8; pass --text DIR/);
  const warnings: string[] = [];
  const renamed: FrozenLoaders = { ...w.loaders, loadConditioner: async () => Object.assign(new HashTextConditioner(8, 8), { name: 'other' }) };
  (await loadDiffusionRun(run, { loaders: renamed, warn: (m) => warnings.push(m) })).dispose();
  assert.match(warnings.join('\n'), /named 'other' but the run was trained with 'hash-text-stand-in'/);
});

test('a run of another kind or without weights is refused', async () => {
  const joint = join(w.root, 'joint', 'model');
  mkdirSync(joint, { recursive: true });
  writeFileSync(join(joint, 'task.json'), JSON.stringify({ kind: 'align/byol' }));
  await assert.rejects(loadDiffusionRun(join(w.root, 'joint'), { loaders: w.loaders }), /describes a 'align\/byol' run, not a diffusion run/);
  const partial = join(w.root, 'partial', 'model');
  mkdirSync(partial, { recursive: true });
  copyFileSync(join(run, 'model', 'task.json'), join(partial, 'task.json'));
  await assert.rejects(loadDiffusionRun(join(w.root, 'partial'), { loaders: w.loaders }), /denoiser\.safetensors' is missing: the run folder is incomplete/);
});
