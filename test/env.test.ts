// Tests for src/env.ts: the flag wins, then <modelsDir>/<name>, else an error naming the flag and
// T2V_MODELS; downloads are off.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { env, resolveModelDir } from '../src/env.js';

const tmp = mkdtempSync(join(tmpdir(), 'env-test-'));
const saved = env.modelsDir;
after(() => {
  env.modelsDir = saved;
  rmSync(tmp, { recursive: true, force: true });
});

test('defaults: $T2V_MODELS or ~/.t2vlab/models; no downloads', () => {
  assert.equal(env.allowDownloads, false);
  if (!process.env['T2V_MODELS']) assert.match(saved, /\.t2vlab[/\\]models$/);
});

test('the flag wins, then <modelsDir>/<name>', () => {
  env.modelsDir = tmp;
  mkdirSync(join(tmp, 'clip-vit-base-patch32'));
  assert.equal(resolveModelDir('some/where', 'clip-vit-base-patch32'), resolve('some/where'));
  assert.equal(resolveModelDir(undefined, 'clip-vit-base-patch32'), join(tmp, 'clip-vit-base-patch32'));
});

test('neither: the error names the flag, the expected folder and T2V_MODELS', () => {
  env.modelsDir = tmp;
  assert.throws(() => resolveModelDir(undefined, 'i3d', '--i3d'), (e: Error) =>
    e.message.includes('pass it with --i3d DIR') && e.message.includes(join(tmp, 'i3d')) && e.message.includes('$T2V_MODELS'));
});
