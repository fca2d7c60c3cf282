// `t2v generate` over a micro diffusion run trained with stand-in frozen pieces
// (diffusion-run.ts), and over a stub joint-family run: the files, manifest and prompts.json
// (read back with `t2v eval`'s own readers), bit-identical repeats, guidance changes the videos,
// dispatch on the run's kind, moved frozen pieces, prompt files.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../../src/cli/command.js';
import { readPromptFile, runGenerate, type GenerateDeps } from '../../../src/cli/commands/generate.js';
import { readNpy } from '../../../src/io/npy.js';
import { makeVideo, type VideoU8 } from '../../../src/media/video.js';
import { listVideoFiles, readPrompts } from '../../../src/metrics/video-set.js';
import type { JointLoaders } from '../../../src/align/generate.js';
import { makeWorld, trainMicro, type DiffusionWorld } from './diffusion-run.js';

const PROMPTS = ['digit 3 is moving up and down', 'digit 7 is moving left and right'];
let w: DiffusionWorld;
let run: string;
let promptFile: string;
const quiet = (extra: Partial<GenerateDeps> = {}): GenerateDeps => ({ loaders: w.loaders, log: () => {}, ...extra });

before(async () => {
  w = await makeWorld('t2v-cli-generate-');
  run = join(w.root, 'run');
  assert.equal(await trainMicro(w, run), 0);
  promptFile = join(w.root, 'prompts.txt');
  writeFileSync(promptFile, `${PROMPTS[0]}\n\n  ${PROMPTS[1]}  \n`);
});

const json = (p: string): Record<string, unknown> => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
const npyFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.npy')).sort();
const gen = (out: string, extra: string[] = [], deps = quiet()) =>
  runGenerate(['--run', run, '--prompts', promptFile, '--out', join(w.root, out), '--samples-per-prompt', '2', '--steps', '4', '--seed', '7', ...extra], deps);

test('writes N×k uint8 videos, prompts.json and manifest.json that t2v eval reads', async () => {
  assert.equal(await gen('a', ['--guidance', '3', '--gif']), 0);
  const out = join(w.root, 'a');
  assert.deepEqual(npyFiles(out), ['0-0.npy', '0-1.npy', '1-0.npy', '1-1.npy']);
  for (const f of npyFiles(out)) {
    const a = readNpy(join(out, f));
    assert.equal(a.dtype, 'u1');
    assert.deepEqual(a.shape, [4, 32, 32, 1], '(T, H, W, C)');
  }
  assert.deepEqual(readdirSync(join(out, 'gif')).sort(), ['0-0.gif', '0-1.gif', '1-0.gif', '1-1.gif']);
  const m = json(join(out, 'manifest.json'));
  assert.equal(m['kind'], 'diffusion/dit');
  assert.equal(m['run'], run);
  assert.deepEqual(m['prompts'], PROMPTS);
  assert.deepEqual(m['samples'], [
    { file: '0-0.npy', prompt: PROMPTS[0], promptIndex: 0, sampleIndex: 0, seed: 7 },
    { file: '0-1.npy', prompt: PROMPTS[0], promptIndex: 0, sampleIndex: 1, seed: 8 },
    { file: '1-0.npy', prompt: PROMPTS[1], promptIndex: 1, sampleIndex: 0, seed: 9 },
    { file: '1-1.npy', prompt: PROMPTS[1], promptIndex: 1, sampleIndex: 1, seed: 10 },
  ]);
  assert.deepEqual([m['steps'], m['guidance'], m['sampler'], m['samplesPerPrompt']], [4, 3, 'ddim', 2]);
  assert.equal(m['standIn'], true);
  assert.ok(typeof m['seconds'] === 'number' && typeof (m['versions'] as Record<string, unknown>)['node'] === 'string');
  // t2v eval's readers: only the .npy files are videos (GIFs in their subfolder), each with its prompt.
  const files = listVideoFiles(out);
  assert.deepEqual(files, npyFiles(out));
  assert.deepEqual(readPrompts(join(out, 'prompts.json'), files), [PROMPTS[0], PROMPTS[0], PROMPTS[1], PROMPTS[1]]);
  // The folder again is refused.
  await assert.rejects(gen('a'), (e: unknown) => e instanceof UsageError && /already holds generated videos/.test(e.message));
});

test('the same arguments give identical bytes; guidance 1 and 3 differ', async () => {
  assert.equal(await gen('b', ['--guidance', '3', '--batch', '3']), 0);
  assert.equal(await gen('c', ['--guidance', '3', '--batch', '3']), 0);
  assert.equal(await gen('d', ['--guidance', '1', '--batch', '3']), 0);
  const bytes = (d: string, f: string) => readFileSync(join(w.root, d, f));
  for (const f of npyFiles(join(w.root, 'b'))) assert.ok(bytes('b', f).equals(bytes('c', f)), `${f} repeats bit for bit`);
  assert.ok(bytes('b', 'prompts.json').equals(bytes('c', 'prompts.json')));
  const differ = npyFiles(join(w.root, 'b')).filter((f) => !bytes('b', f).equals(bytes('d', f)));
  assert.equal(differ.length, 4, `guidance 3 vs 1: every video differs (got ${differ.join(', ')})`);
  // Different seeds give different videos.
  assert.ok(!bytes('b', '0-0.npy').equals(bytes('b', '0-1.npy')));
});

test('a run of an unknown kind, or no run, is a clear error', async () => {
  const ae = join(w.root, 'ae-kind', 'model');
  mkdirSync(ae, { recursive: true });
  writeFileSync(join(ae, 'task.json'), JSON.stringify({ kind: 'ae/conv3d-base', arch: 'conv3d-base' }));
  const go = (r: string) => runGenerate(['--run', r, '--prompts', promptFile, '--out', join(w.root, 'never')], quiet());
  await assert.rejects(go(join(w.root, 'ae-kind')), (e: unknown) =>
    e instanceof UsageError && /describes a 'ae\/conv3d-base' run; t2v generate needs a diffusion run .* or a joint-family run/.test(e.message));
  await assert.rejects(go(join(w.root, 'nothing')), /run folder '.*nothing' does not exist; pass --run with the folder of a finished `t2v train diffusion`/);
  mkdirSync(join(w.root, 'empty'));
  await assert.rejects(go(join(w.root, 'empty')), /model\/task\.json' is missing: it is not a trained run folder/);
  mkdirSync(join(w.root, 'unfinished', 'ckpt'), { recursive: true });
  await assert.rejects(go(join(w.root, 'unfinished')), /model\/task\.json' is missing: its training has not finished .*finish it with --resume/);
  assert.ok(!existsSync(join(w.root, 'never')), 'nothing written');
});

test('a moved autoencoder or text encoder is named with the flag that replaces it', async () => {
  const movedAe = `${w.ae}-moved`;
  renameSync(w.ae, movedAe);
  try {
    await assert.rejects(gen('e'), (e: unknown) =>
      e instanceof UsageError && e.message.includes(`the autoencoder run '${w.ae}' recorded in`) && /does not exist \(moved or deleted\?\); pass --ae RUN/.test(e.message));
    w.loads.length = 0;
    assert.equal(await gen('e', ['--ae', movedAe]), 0);
    assert.equal(w.loads[0], `ae:${movedAe}`);
  } finally {
    renameSync(movedAe, w.ae);
  }
  const movedText = `${w.text}-moved`;
  renameSync(w.text, movedText);
  try {
    await assert.rejects(gen('f'), /conditioning text encoder folder '.*text-encoder' recorded in .* pass --text DIR with its current location/);
    assert.equal(await gen('f', ['--text', movedText]), 0);
  } finally {
    renameSync(movedText, w.text);
  }
  // Same videos from the same pieces at their new places.
  for (const f of npyFiles(join(w.root, 'e'))) assert.ok(readFileSync(join(w.root, 'e', f)).equals(readFileSync(join(w.root, 'f', f))));
});

test('a joint-family run goes to generateJoint with the recorded frozen pieces', async () => {
  const jr = join(w.root, 'joint');
  mkdirSync(join(jr, 'model'), { recursive: true });
  writeFileSync(join(jr, 'model', 'task.json'), JSON.stringify({ kind: 'align/vicreg', ae: { run: w.ae }, conditioner: { name: 'x', spec: { kind: 'clip', dir: w.text } } }));
  const calls: { runDir: string; prompts: readonly string[]; opts: unknown; loaded: string[] }[] = [];
  const stub: NonNullable<GenerateDeps['generateJoint']> = async (runDir, prompts, opts = {}, loaders?: JointLoaders) => {
    const loaded: string[] = [];
    await loaders!.loadAutoencoder('ignored').then((ae) => (loaded.push('ae'), ae.dispose()));
    await loaders!.loadConditioner({ kind: 'text', dir: 'ignored' }).then(() => loaded.push('text'));
    calls.push({ runDir, prompts, opts, loaded });
    const k = opts.samplesPerPrompt ?? 1;
    return prompts.flatMap((_, p) => Array.from({ length: k }, (_, s): VideoU8 => makeVideo(2, 4, 4, 1, new Uint8Array(32).fill(10 * p + s))));
  };
  w.loads.length = 0;
  assert.equal(await runGenerate(['--run', jr, '--prompts', promptFile, '--out', join(w.root, 'g'), '--samples-per-prompt', '3', '--seed', '4', '--batch', '5'], quiet({ generateJoint: stub })), 0);
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0]!.prompts, PROMPTS);
  assert.deepEqual(calls[0]!.opts, { seed: 4, samplesPerPrompt: 3, batchSize: 5 });
  assert.deepEqual(w.loads, [`ae:${w.ae}`, `clip:${w.text}`], 'the paths task.json records, whatever generateJoint asks for');
  const out = join(w.root, 'g');
  assert.deepEqual(npyFiles(out), ['0-0.npy', '0-1.npy', '0-2.npy', '1-0.npy', '1-1.npy', '1-2.npy']);
  assert.equal(readNpy(join(out, '1-2.npy')).data[0], 12, 'video n of generateJoint is prompt ⌊n/k⌋, sample n mod k');
  const m = json(join(out, 'manifest.json'));
  assert.equal(m['kind'], 'align/vicreg');
  assert.deepEqual([m['steps'], m['guidance'], m['sampler']], [null, null, null]);
  assert.deepEqual(json(join(out, 'prompts.json'))['1-0.npy'], PROMPTS[1]);
});

test('prompt files: lines, JSON arrays, JSON mappings; errors name the file', () => {
  const f = (name: string, text: string) => (writeFileSync(join(w.root, name), text), join(w.root, name));
  assert.deepEqual(readPromptFile(f('p.txt', 'a b\r\n\r\n c \n')), ['a b', 'c']);
  assert.deepEqual(readPromptFile(f('p.json', '["x", " y "]')), ['x', 'y']);
  assert.deepEqual(readPromptFile(f('m.json', '{"000.npy": "x", "001.npy": {"caption": "y"}}')), ['x', 'y']);
  assert.deepEqual(readPromptFile(f('b.txt', '[draft] digit 1\n{x} y\n')), ['[draft] digit 1', '{x} y'], 'not JSON: lines');
  assert.throws(() => readPromptFile(f('broken.json', '["x"')), /is not valid JSON/);
  assert.throws(() => readPromptFile(f('bad.json', '[1]')), /entry 1 is not a non-empty string/);
  assert.throws(() => readPromptFile(f('empty.txt', '\n\n')), /holds no prompts/);
  assert.throws(() => readPromptFile(join(w.root, 'none.txt')), /does not exist/);
});
