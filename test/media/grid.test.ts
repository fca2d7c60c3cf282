import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameStrip, imageGrid, stripGrid, videoGrid } from '../../src/media/grid.js';
import { makeVideo } from '../../src/media/video.js';

const solid = (h: number, w: number, c: 1 | 3, v: number) => ({ height: h, width: w, channels: c, data: new Uint8Array(h * w * c).fill(v) });

test('imageGrid places cell (r, k) at (pad + r*(h+pad), pad + k*(w+pad)) and pads ragged rows', () => {
  const g = imageGrid([[solid(2, 3, 1, 10), solid(2, 3, 1, 20)], [solid(2, 3, 1, 30)]], { pad: 1, padValue: 0 });
  // H = 2*2 + 3*1 = 7, W = 2*3 + 3*1 = 9
  assert.deepEqual([g.height, g.width, g.channels], [7, 9, 1]);
  const at = (y: number, x: number) => g.data[y * 9 + x];
  assert.equal(at(1, 1), 10);
  assert.equal(at(2, 3), 10);
  assert.equal(at(1, 5), 20);
  assert.equal(at(4, 1), 30);
  assert.equal(at(4, 5), 0, 'missing cell (1, 1) is padding');
  assert.equal(at(0, 0), 0);
  assert.throws(() => imageGrid([[solid(2, 3, 1, 0), solid(3, 3, 1, 0)]]), /cell \(row 0, column 1\) is 3x3 but cell \(0, 0\) is 2x3/);
});

test('mixing gray and RGB cells promotes the grid to RGB', () => {
  const g = imageGrid([[solid(1, 1, 1, 50), solid(1, 1, 3, 60)]], { pad: 0 });
  assert.deepEqual([...g.data], [50, 50, 50, 60, 60, 60]);
});

test('frameStrip lays frames left to right; stripGrid one row per video', () => {
  const v = makeVideo(3, 1, 2, 1, Uint8Array.of(1, 1, 2, 2, 3, 3));
  assert.deepEqual([...frameStrip(v, { pad: 0 }).data], [1, 1, 2, 2, 3, 3]);
  const g = stripGrid([v, v], { pad: 0 });
  assert.deepEqual([g.height, g.width], [2, 6]);
});

test('videoGrid: frame t shows every cell at t; shorter videos hold their last frame', () => {
  const a = makeVideo(3, 1, 1, 1, Uint8Array.of(1, 2, 3));
  const b = makeVideo(2, 1, 1, 1, Uint8Array.of(7, 8));
  const g = videoGrid([[a, b]], { pad: 0 });
  assert.deepEqual([g.frames, g.height, g.width], [3, 1, 2]);
  assert.deepEqual([...g.data], [1, 7, 2, 8, 3, 8]);
});
