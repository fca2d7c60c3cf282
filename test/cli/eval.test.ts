import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/command.js';
import { commands, metricList, runEval } from '../../src/cli/commands/eval.js';
import { DEFAULT_LOADERS } from '../../src/metrics/context.js';
import type { EvalReport } from '../../src/metrics/evaluate.js';
import { listMetrics } from '../../src/metrics/registry.js';
import { writeNpy } from '../../src/io/npy.js';
import { assertClose } from '../helpers/close.js';
import { tempDir } from '../media/clips.js';
import { FakeClip, RED, WHITE, solidVideo } from '../metrics/fake-clip.js';

const cmd = commands.find((c) => c.path.join(' ') === 'eval')!;
let root = '';
let cleanup = (): void => {};

before(() => {
  ({ dir: root, cleanup } = tempDir('evalcli'));
  const v0 = solidVideo([WHITE, WHITE]);
  const v1 = solidVideo([WHITE, RED]);
  writeNpy(join(root, 'gen', '0.npy'), { dtype: 'u1', shape: [2, 4, 4, 3], data: v0.data });
  writeNpy(join(root, 'gen', '1.npy'), { dtype: 'u1', shape: [2, 4, 4, 3], data: v1.data });
  writeFileSync(join(root, 'prompts.txt'), 'white\nwhite\n');
});
after(() => cleanup());

/** Run with stdout/stderr captured (replayed afterwards for the test reporter). */
async function captured(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [w1, w2] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((s: string | Uint8Array) => { out.push(String(s)); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => { err.push(String(s)); return true; }) as typeof process.stderr.write;
  try {
    return { code: await cmd.run(argv), out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

test('t2v eval: an unknown metric is a usage error listing the valid ones', async () => {
  await assert.rejects(cmd.run(['--videos', join(root, 'gen'), '--metrics', 'clipsim,nope', '--out', join(root, 'r.json')]),
    (e: unknown) => e instanceof UsageError && /unknown metric 'nope'; valid metrics: clipsim, .*background_consistency/.test(e.message));
});

test('t2v eval: a metric without its model names the flag', async () => {
  await assert.rejects(cmd.run(['--videos', join(root, 'gen'), '--prompts', join(root, 'prompts.txt'), '--metrics', 'clip_temp', '--out', join(root, 'r.json')]),
    (e: unknown) => e instanceof UsageError && /metric 'clip_temp' needs a CLIP model \('clip'\): pass --clip DIR/.test(e.message));
  await assert.rejects(cmd.run(['--metrics', 'clipsim', '--out', 'x']), /--videos is required/);
});

test('t2v eval: input problems print a message and exit 2 before any model loads', async () => {
  const r = await captured(['--videos', join(root, 'gen'), '--prompts', join(root, 'none.txt'), '--clip', join(root, 'clip'), '--metrics', 'clipsim', '--out', join(root, 'r.json')]);
  assert.equal(r.code, 2);
  assert.match(r.err, /prompt file .*none\.txt' does not exist/);
});

test('t2v eval --list shows every metric with its needs', async () => {
  const r = await captured(['--list']);
  assert.equal(r.code, 0);
  assert.equal(r.out, metricList());
  for (const m of listMetrics()) assert.match(r.out, new RegExp(`^${m.name}\\s+${m.needs.join('\\+')}\\s`, 'm'));
});

test('runEval end to end with a fake CLIP: JSON report and hand-computed values', async () => {
  const out = join(root, 'res', 'results.json');
  const loaders = { ...DEFAULT_LOADERS, clip: async () => new FakeClip({ white: [1, 1, 1], 'A photo depicts white': [1, 1, 1] }) };
  const clipMetrics = listMetrics().filter((m) => m.needs.length > 0 && m.needs.every((n) => n === 'clip')).map((m) => m.name);
  const report = await runEval({ videos: join(root, 'gen'), prompts: join(root, 'prompts.txt'), split: 'test', metrics: clipMetrics.join(','), out, fps: 8, models: { clip: 'm/clip' } }, { loaders });
  const j = JSON.parse(readFileSync(out, 'utf8')) as EvalReport;
  assert.deepEqual(Object.keys(j.metrics), clipMetrics);
  // 0.npy: frame cosines with 'white' 1, 1; 1.npy: 1, −1/3. Consecutive cosines: 1 and −1/3.
  assertClose([j.metrics['clipsim']!.aggregate, j.metrics['clip_temp']!.aggregate], [(1 + 1 / 3) / 2, (1 - 1 / 3) / 2], 1e-6);
  assert.deepEqual(j.metrics['clipsim']!.perVideo.map((p) => p.id), ['0.npy', '1.npy']);
  assert.deepEqual(j.failed, {});
  assert.equal(j.videos.count, 2);
  assert.deepEqual(j.settings['models'], { clip: 'm/clip' });
  assert.equal(report.metrics['clipsim']!.extractor, 'fake-clip');
});
