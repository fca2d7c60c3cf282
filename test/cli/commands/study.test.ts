import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/cli/command.js';
import { commands, runStudyCommand } from '../../../src/cli/commands/study.js';

test('t2v study: flags are checked before anything runs, with messages naming the fix', async () => {
  await assert.rejects(runStudyCommand([]), (e: Error) => e instanceof UsageError && /--out is required/.test(e.message));
  await assert.rejects(runStudyCommand(['--out', '/tmp/x', '--preset', 'huge']), (e: Error) => e instanceof UsageError && /--preset must be one of micro, quick, paper, got 'huge'/.test(e.message));
  await assert.rejects(runStudyCommand(['--out', '/tmp/x', '--methods', 'progressive-bucket,nope']), (e: Error) => e instanceof UsageError && /unknown method 'nope'; valid: progressive-bucket/.test(e.message));
  await assert.rejects(runStudyCommand(['--out', '/tmp/x', '--seeds', '0']), (e: Error) => e instanceof UsageError && /--seeds must be an integer ≥ 1/.test(e.message));
  await assert.rejects(runStudyCommand(['--out', '/tmp/x', '--budget-steps', '2.5']), (e: Error) => e instanceof UsageError && /--budget-steps must be an integer ≥ 1/.test(e.message));
  await assert.rejects(runStudyCommand(['--out', '/tmp/x', '--data', '/nonexistent/data']), (e: Error) => e instanceof UsageError && /--data \/nonexistent\/data: no such folder/.test(e.message));
  await assert.rejects(runStudyCommand(['--out', '/tmp/x', 'extra']), (e: Error) => e instanceof UsageError && /unexpected argument 'extra'/.test(e.message));
});

test('t2v study: registered as `study`, usage lists every method', () => {
  const c = commands.find((x) => x.path.join(' ') === 'study')!;
  assert.ok(c);
  for (const m of ['progressive-bucket', 'codi', 'mlp-conv3d-base', 'dit-causal-vae']) assert.ok(c.usage.includes(m), m);
  for (const line of c.usage.split('\n')) assert.ok(line.length <= 100, `usage line too long: ${line}`);
});
