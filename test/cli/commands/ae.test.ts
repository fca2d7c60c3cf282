// `t2v ae encode | decode | reconstruct` (src/cli/commands/ae.ts) on a tiny SyncDraw set with an
// untrained tiny autoencoder: the files they write and what they contain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as T from '../../../src/tensor/index.js';
import { generateSyncDraw } from '../../../src/data/syncdraw/generator.js';
import { DatasetReader } from '../../../src/data/format.js';
import { DataLoader } from '../../../src/data/loader.js';
import { loadTensors } from '../../../src/io/tensors.js';
import { createAeTask } from '../../../src/models/ae/index.js';
import { commands, decodeLatents, encodeSplit, reconstructSplit } from '../../../src/cli/commands/ae.js';
import { readLatentsFile } from '../../../src/diffusion/latents-file.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { METRICS, TINY, psnrInline } from '../../models/ae/tiny.js';
import { writeRun } from '../../models/ae/run-folder.js';

T.setNumThreads(1);
const INPUT: [number, number, number, number] = [1, 8, 32, 32];
let root = '';
let data = '';
let run = '';

before(async () => {
  root = mkdtempSync(join(tmpdir(), 't2v-ae-cli-'));
  data = join(root, 'sd');
  await generateSyncDraw({ out: data, preset: 'single', splits: { train: 2, val: 2, test: 5 }, frames: 8, size: 32, seed: 3 });
  run = join(root, 'run');
  T.manualSeed(12);
  const task = createAeTask('conv3d-base', TINY['conv3d-base'], INPUT, { lr: 1e-3 }, METRICS);
  writeRun(run, task);
  task.dispose();
});
after(() => rmSync(root, { recursive: true, force: true }));

/** The test split as one (N, C, T, H, W) tensor, with ids. */
async function testSplit(): Promise<{ x: T.Tensor; ids: string[] }> {
  const reader = DatasetReader.open(data);
  const loader = new DataLoader(reader, { split: 'test', batchSize: 100, shuffle: false });
  for await (const b of loader.epoch(0)) {
    reader.close();
    return { x: b.videos, ids: b.ids };
  }
  throw new Error('no test videos');
}

test('encode writes the posterior means of a split with ids, captions and buckets; decode turns them into GIFs', async () =>
  assertNoLeak(async () => {
    const file = join(root, 'latents.safetensors');
    const shape = await encodeSplit(run, data, 'test', file, { batch: 2 });
    assert.deepEqual(shape, [5, 8]);
    const { tensors, metadata } = loadTensors(file);
    const { x, ids } = await testSplit();
    const ref = await import('../../../src/models/ae/index.js').then((m) => m.loadAutoencoder(run));
    T.noGrad(() => T.tidy(() => {
      const want = ref.encode(x);
      assert.ok(T.allclose(tensors.get('latents')!, want, { atol: 1e-5, rtol: 1e-5 }), 'latents are the posterior means');
    }));
    assert.deepEqual(JSON.parse(metadata.ids!), ids);
    assert.equal((JSON.parse(metadata.captions!) as string[]).length, 5);
    assert.equal(metadata.arch, 'conv3d-base');
    assert.equal(metadata.aeSha256, createHash('sha256').update(readFileSync(join(run, 'model', 'ae.safetensors'))).digest('hex'), 'the weights the latents came from');
    assert.equal(readLatentsFile(file, { aeRun: run, latentShape: [8] }).latents.size, 5, 'a diffusion run of this autoencoder accepts the file');
    assert.deepEqual(tensors.get('buckets')!.shape, [5]);
    for (const t of tensors.values()) t.dispose();
    ref.dispose();
    x.dispose();
    const out = join(root, 'decoded');
    assert.equal(await decodeLatents(run, file, out, { n: 3 }), 3);
    const gifs = readdirSync(out).sort();
    assert.deepEqual(gifs, [...ids.slice(0, 3).map((id) => `${id.replace(/[^A-Za-z0-9._-]+/g, '_')}.gif`), 'grid.gif'].sort());
    assert.equal(readFileSync(join(out, 'grid.gif')).subarray(0, 6).toString(), 'GIF89a');
  }));

test('reconstruct scores the first N videos and writes the grids and metrics.json', async () =>
  assertNoLeak(async () => {
    const out = join(root, 'recon');
    const r = await reconstructSplit(run, data, 'test', out, { n: 3, batch: 2, metrics: METRICS });
    assert.equal(r.n, 3);
    const { x } = await testSplit();
    const ref = await import('../../../src/models/ae/index.js').then((m) => m.loadAutoencoder(run));
    const want = T.noGrad(() => T.tidy(() => {
      const x3 = x.narrow(0, 0, 3);
      return psnrInline(ref.decode(ref.encode(x3)), x3);
    }));
    assert.ok(Math.abs(r.psnr - (want[0]! + want[1]! + want[2]!) / 3) < 1e-5, `${r.psnr} vs ${want}`);
    ref.dispose();
    x.dispose();
    for (const f of ['reconstruction.gif', 'reconstruction.png', 'metrics.json']) assert.ok(existsSync(join(out, f)), f);
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { n: number; perVideo: unknown[]; split: string };
    assert.equal(m.n, 3);
    assert.equal(m.perVideo.length, 3);
    assert.equal(m.split, 'test');
  }));

test('the commands report a missing run folder or latents file with exit code 2 or a usage error', async () => {
  const enc = commands.find((c) => c.path.join(' ') === 'ae encode')!;
  const dec = commands.find((c) => c.path.join(' ') === 'ae decode')!;
  const errs: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (errs.push(String(s)), true)) as typeof process.stderr.write;
  try {
    assert.equal(await enc.run(['--run', join(root, 'none'), '--data', data, '--out', join(root, 'x.safetensors')]), 2);
  } finally {
    process.stderr.write = write;
  }
  assert.match(errs.join(''), /t2v ae encode: run folder '.*none' does not exist/);
  await assert.rejects(dec.run(['--run', run, '--latents', join(root, 'missing.safetensors'), '--out', join(root, 'd')]), /latents file '.*missing\.safetensors' does not exist; make one with `t2v ae encode`/);
  await assert.rejects(enc.run(['--run', run, '--data', data, '--out', 'x', '--split', 'dev']), /--split must be one of train, val, test/);
});
