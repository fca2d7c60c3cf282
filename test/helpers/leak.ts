// assertNoLeak: the tfjs-style check that a piece of work freed every tensor it made.
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';

function check(before: number): void {
  const after = T.liveTensors();
  assert.equal(after, before, `leaked ${after - before} tensor(s): ${before} live before, ${after} after`);
}

/**
 * Run `fn` and assert that the number of live native tensors is unchanged afterwards.
 * Works for sync and async functions (async ones return a Promise to await).
 */
export function assertNoLeak(fn: () => Promise<unknown>): Promise<void>;
export function assertNoLeak(fn: () => unknown): void;
export function assertNoLeak(fn: () => unknown): void | Promise<void> {
  const before = T.liveTensors();
  const r = fn();
  if (r instanceof Promise) return r.then(() => check(before));
  check(before);
}
