// roundHalfEven is Python's round(): values from Python 3 `round(x)`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundHalfEven } from '../../src/util/round.js';

test('halves go to the even neighbour, other values to the nearest', () => {
  const cases: [number, number][] = [[0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, 0], [-1.5, -2], [2.4999, 2], [2.5001, 3], [7, 7]];
  for (const [x, want] of cases) assert.equal(roundHalfEven(x), want, `round(${x})`);
});
