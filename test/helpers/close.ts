// Elementwise comparison of number arrays with an absolute + relative tolerance.
import assert from 'node:assert/strict';

/** Assert |actual − expected| ≤ atol + rtol·|expected| elementwise (and equal lengths). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-6, rtol = 0, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.fail(`${what}[${i}]: got ${a}, expected ${e} (atol ${atol}, rtol ${rtol})\n  got      [${Array.from(actual).join(', ')}]\n  expected [${Array.from(expected).join(', ')}]`);
    }
  }
}
