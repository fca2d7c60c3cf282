// Tests for src/io/atomic.ts: temp-file + fsync + rename writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../src/io/atomic.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 't2v-atomic-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('writes a string as UTF-8, creating parent directories', () => {
  withDir((dir) => {
    const p = join(dir, 'a', 'b', 'c.txt');
    writeFileAtomic(p, 'héllo\n');
    assert.deepEqual(readFileSync(p), Buffer.from([0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f, 0x0a]));
    assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['c.txt']);
  });
});

test('writes bytes and chunk arrays back to back, replacing an existing file', () => {
  withDir((dir) => {
    const p = join(dir, 'f.bin');
    writeFileSync(p, 'old contents that are longer');
    writeFileAtomic(p, Uint8Array.from([1, 2, 3]));
    assert.deepEqual([...readFileSync(p)], [1, 2, 3]);
    writeFileAtomic(p, [Uint8Array.from([4]), new Uint8Array(0), Uint8Array.from([5, 6]).subarray(1)]);
    assert.deepEqual([...readFileSync(p)], [4, 6]);
    writeFileAtomic(p, []);
    assert.equal(readFileSync(p).length, 0);
    assert.deepEqual(readdirSync(dir), ['f.bin']);
  });
});

test('on failure the temp file is removed and the error rethrown', () => {
  withDir((dir) => {
    const target = join(dir, 'occupied');
    mkdirSync(join(target, 'child'), { recursive: true }); // rename(file, non-empty dir) fails
    assert.throws(() => writeFileAtomic(target, 'x'), (err: NodeJS.ErrnoException) => typeof err.code === 'string');
    assert.deepEqual(readdirSync(dir), ['occupied']);
    assert.deepEqual(readdirSync(target), ['child']);
    // A parent that is a file: mkdir fails before anything is written.
    writeFileSync(join(dir, 'plain'), '');
    assert.throws(() => writeFileAtomic(join(dir, 'plain', 'x.txt'), 'x'));
    assert.deepEqual(readdirSync(dir).sort(), ['occupied', 'plain']);
  });
});

test('writeJsonAtomic writes pretty JSON with a trailing newline', () => {
  withDir((dir) => {
    const p = join(dir, 'v.json');
    writeJsonAtomic(p, { a: 1, b: [true, null], c: 'x' });
    const expected = '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ],\n  "c": "x"\n}\n';
    assert.equal(readFileSync(p, 'utf8'), expected);
    assert.throws(() => writeJsonAtomic(p, undefined), TypeError);
    assert.equal(readFileSync(p, 'utf8'), expected); // untouched
    assert.deepEqual(readdirSync(dir), ['v.json']);
  });
});
