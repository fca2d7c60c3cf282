// readTaskFile (src/train/run-dir.ts): the one reader of RUN/model/task.json behind every loader
// (autoencoder, diffusion and joint runs, train.init, the study's --ae). Each refusal is made
// here from a folder written by hand and must name the file and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTaskFile } from '../../src/train/run-dir.js';

class CallerError extends Error {}

test('readTaskFile returns the kind and description, and refuses each kind of broken folder with the caller\'s fix', () => {
  const root = mkdtempSync(join(tmpdir(), 't2v-taskfile-'));
  try {
    const run = (name: string, body?: string, ckpt = false): string => {
      const dir = join(root, name);
      mkdirSync(join(dir, 'model'), { recursive: true });
      if (ckpt) mkdirSync(join(dir, 'ckpt'));
      if (body !== undefined) writeFileSync(join(dir, 'model', 'task.json'), body);
      return dir;
    };
    const fix = 'train one with `t2v train x`';
    const ok = run('ok', JSON.stringify({ kind: 'ae/unet3d', input: [1, 4, 8, 8] }));
    const got = readTaskFile(ok, fix, { want: { kind: 'ae/', what: 'an autoencoder' } });
    assert.equal(got.kind, 'ae/unet3d');
    assert.deepEqual(got.task, { kind: 'ae/unet3d', input: [1, 4, 8, 8] });
    assert.equal(got.path, join(ok, 'model', 'task.json'));
    assert.equal(readTaskFile(ok, fix, { want: { kind: 'ae/unet3d', what: 'x' } }).kind, 'ae/unet3d', 'exact kind');

    const fail = (m: string): Error => new CallerError(m);
    const refuses = (dir: string, re: RegExp, want?: { kind: string; what: string }): void =>
      assert.throws(() => readTaskFile(dir, fix, { fail, ...(want ? { want } : {}) }), (e: Error) => e instanceof CallerError && re.test(e.message));
    refuses(join(root, 'absent'), /run folder '.*absent' does not exist; train one with `t2v train x`$/);
    refuses(run('empty'), /task\.json' is missing: it is not a trained run folder; train one/);
    refuses(run('unfinished', undefined, true), /task\.json' is missing: its training has not finished \(it has checkpoints but no model\/\); finish it with --resume; train one/);
    refuses(run('cut', '{"kind": "ae/'), /task\.json' is not valid JSON \(.*\); the run folder is damaged, train it again$/);
    refuses(run('nokind', '{"arch": "dit"}'), /task\.json' has no 'kind'; it was not written by the t2vlab trainer$/);
    refuses(run('array', '["ae/x"]'), /has no 'kind'/);
    refuses(ok, /describes a 'ae\/unet3d' run, not a diffusion run; train one/, { kind: 'diffusion/', what: 'a diffusion run' });
    refuses(ok, /describes a 'ae\/unet3d' run, not ae\/unet; train one/, { kind: 'ae/unet', what: 'ae/unet' });
    assert.throws(() => readTaskFile(join(root, 'absent'), fix), (e: Error) => e.constructor === Error, 'default error class');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
