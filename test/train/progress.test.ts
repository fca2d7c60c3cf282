// The progress display: durations, figures, plain lines off a TTY, a redrawn line on one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, formatDuration, formatFigure } from '../../src/train/progress.js';

test('durations and figures', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(61.4), '1:01');
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(NaN), '?');
  assert.equal(formatFigure(0.0123456), '0.01235');
  assert.equal(formatFigure(19.137), '19.14');
  assert.equal(formatFigure(0.00012346), '1.235e-4');
  assert.equal(formatFigure(0), '0');
});

test('not a TTY: one plain line per log step, nothing in between', () => {
  const out: string[] = [];
  const p = new Progress({ write: (t: string) => out.push(t) }, 100, 0);
  p.update(1, { loss: 0.5 }, 10, false);
  p.update(10, { loss: 0.25 }, 12.5, true);
  p.message('validation at step 10: psnr 20');
  assert.equal(out.length, 2);
  assert.match(out[0]!, /^step 10\/100 \| 12\.5 vid\/s \| \d+:\d\d ETA \d+:\d\d \| loss 0\.25\n$/);
  assert.equal(out[1], 'validation at step 10: psnr 20\n');
});

test('a TTY: the bar is redrawn in place and messages clear it first', () => {
  const out: string[] = [];
  const p = new Progress({ write: (t: string) => out.push(t), isTTY: true, columns: 200 }, 8, 4);
  p.update(6, { loss: 1 }, 3, true);
  assert.match(out[0]!, /^\rstep 6\/8 \[#{18}\.{6}\]  75% \| 3 vid\/s \| .* ETA .* \| loss 1\x1b\[K$/);
  p.message('hello');
  assert.deepEqual(out.slice(1), ['\r\x1b[K', 'hello\n']);
  p.update(8, {}, 3, false); // the last step always draws
  p.done();
  assert.match(out.at(-2)!, /^\rstep 8\/8 \[#{24}\] 100%/);
  assert.equal(out.at(-1), '\n');
});
