// Tests for src/diffusion/latents-file.ts and DiffusionTask.preloadLatents: a `t2v ae encode`
// file is read into id → latent rows; files from another autoencoder run, other weights, another
// latent shape, or without one id per latent are refused with a message naming the cause; and a
// task whose cache was preloaded trains on the file's values without encoding those videos.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { saveTensors } from '../../src/io/tensors.js';
import { LATENTS_FORMAT, LatentsFileError, aeWeightsDigest, readLatentsFile } from '../../src/diffusion/latents-file.js';
import { createDiffusionTask } from '../../src/diffusion/task.js';
import { diffusionDefaults } from '../../src/diffusion/presets.js';
import { assertNoLeak } from '../helpers/leak.js';
import { tinyAe, tinyBatch, tinyText } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 't2v-latents-file-'));
const aeRun = join(root, 'ae-run');
mkdirSync(join(aeRun, 'model'), { recursive: true });
writeFileSync(join(aeRun, 'model', 'ae.safetensors'), 'weights, version 1');

/** Write a latents file of `rows` (each `shape`) with ids, and the given metadata overrides. */
function writeFile(name: string, rows: number[][], shape: number[], meta: Record<string, string> = {}): string {
  const path = join(root, name);
  const flat = Float32Array.from(rows.flat());
  T.tidy(() => saveTensors(path, new Map([['latents', T.tensor(flat, { shape: [rows.length, ...shape] })]]), {
    format: LATENTS_FORMAT, run: aeRun, data: join(root, 'data'), split: 'train', ids: JSON.stringify(rows.map((_, i) => `video-${i}`)),
    ...meta,
  }));
  return path;
}

test('a latents file becomes id → row, checked against the run, its weights and the latent shape', () => {
  const rows = [[1, 2, 3, 4], [5, 6, 7, 8], [-1, -2, -3, -4]];
  const digest = aeWeightsDigest(aeRun)!;
  assert.match(digest, /^[0-9a-f]{64}$/);
  const f = readLatentsFile(writeFile('ok.safetensors', rows, [2, 2], { aeSha256: digest }), { aeRun, latentShape: [2, 2] });
  assert.deepEqual([...f.latents.keys()], ['video-0', 'video-1', 'video-2']);
  assert.deepEqual([...f.latents.get('video-1')!], [5, 6, 7, 8]);
  assert.deepEqual([...f.latents.get('video-2')!], [-1, -2, -3, -4]);
  assert.equal(f.split, 'train');
  assert.equal(f.data, join(root, 'data'));

  const refused = (path: string, re: RegExp, shape = [2, 2]) =>
    assert.throws(() => readLatentsFile(path, { aeRun, latentShape: shape }), (e: unknown) => e instanceof LatentsFileError && re.test(e.message) && /t2v ae encode|encode the same/.test(e.message));
  refused(join(root, 'missing.safetensors'), /does not exist/);
  refused(writeFile('other-run.safetensors', rows, [2, 2], { run: join(root, 'another-ae') }), /encoded with the autoencoder run '.*another-ae'/);
  refused(writeFile('other-weights.safetensors', rows, [2, 2], { aeSha256: 'f'.repeat(64) }), /other weights .* changed since/);
  refused(writeFile('format.safetensors', rows, [2, 2], { format: 'something-else' }), /not a t2vlab latents file/);
  refused(writeFile('shape.safetensors', rows, [4]), /shape \[4\] but the autoencoder makes \[2, 2\]/);
  refused(writeFile('ids.safetensors', rows, [2, 2], { ids: JSON.stringify(['a', 'b']) }), /must list 3 video ids/);
  writeFileSync(join(root, 'garbage.safetensors'), 'not a safetensors file at all');
  refused(join(root, 'garbage.safetensors'), /cannot be read/);
});

test('a preloaded cache: those videos are never encoded, and training sees the file\'s values', () =>
  assertNoLeak(() => {
    const ae = tinyAe();
    const task = createDiffusionTask({ arch: 'dit', model: diffusionDefaults('dit', 'micro').model, input: [1, 4, 16, 16], ae, conditioner: tinyText(), lr: 1e-3, options: { objective: 'v' } });
    const batch = tinyBatch();
    // The file's rows: the true latents plus 10, so the calibrated shift tells which ones were used.
    const flat = T.tidy(() => ae.encode(batch.videos).toArray()); // (4·32)
    const truth = [0, 1, 2, 3].map((i) => flat.slice(i * 32, (i + 1) * 32));
    const rows = new Map(truth.map((r, i) => [`video-${i}`, Float32Array.from(r, (v) => v + 10)]));
    let encoded = 0;
    const encode = ae.encode.bind(ae);
    ae.encode = (x) => ((encoded += x.size(0)), encode(x));
    assert.equal(task.preloadLatents(rows, [1, 4, 16, 16]), 4);
    const { shift } = task.calibrate(batch.videos, batch.ids);
    const mean = truth.flat().reduce((a, b) => a + b, 0) / truth.flat().length;
    assert.ok(Math.abs(shift - (mean + 10)) < 1e-5, `shift ${shift} is the mean of the file's values, ${mean + 10}`);
    assert.equal(encoded, 0, 'no video was encoded');
    assert.throws(() => task.preloadLatents(new Map([['video-9', new Float32Array(3)]]), [1, 4, 16, 16]), /has 3 values; the autoencoder makes 32 per clip/);
    batch.videos.dispose();
    task.dispose();
    const uncached = createDiffusionTask({ arch: 'dit', model: diffusionDefaults('dit', 'micro').model, input: [1, 4, 16, 16], ae: tinyAe(), conditioner: tinyText(), lr: 1e-3, options: { cacheLatents: false } });
    assert.throws(() => uncached.preloadLatents(rows, [1, 4, 16, 16]), /cacheLatents = true/);
    uncached.dispose();
  }));
