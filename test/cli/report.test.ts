import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/command.js';
import { commands } from '../../src/cli/commands/report.js';
import { writeStudyFixture } from '../study/fixture.js';

const cmd = commands.find((c) => c.path.join(' ') === 'report')!;

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

test('t2v report --study DIR re-renders report.html from the folder', async () => {
  const f = writeStudyFixture();
  try {
    const r = await captured(['--study', f.dir]);
    assert.equal(r.code, 0);
    assert.equal(r.out, `wrote ${join(f.dir, 'report.html')}\n`);
    assert.match(readFileSync(join(f.dir, 'report.html'), 'utf8'), /<table id="comparison"/);
  } finally {
    f.cleanup();
  }
});

test('t2v report: an invalid results.json exits 1 naming the problems; a missing folder is a usage error', async () => {
  const f = writeStudyFixture({ mutate: (r) => { (r.methods[0] as { family: string }).family = 'mixed'; } });
  try {
    const r = await captured(['--study', f.dir]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^t2v report: .*results\.json is not a valid study results file \(1 problem\):\n  - \/methods\/0\/family: must be one of/);
    assert.equal(existsSync(join(f.dir, 'report.html')), false);
  } finally {
    f.cleanup();
  }
  await assert.rejects(cmd.run(['--study', '/nonexistent/study']), (e: unknown) => e instanceof UsageError && /no such folder/.test(e.message));
  await assert.rejects(cmd.run([]), (e: unknown) => e instanceof UsageError && /--study is required/.test(e.message));
});
