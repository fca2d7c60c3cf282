import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkVideo, frameAt, makeVideo, resizeCropImage, resizeCropVideo, sliceFrames, toGray, toRGB, videoFromFrames,
} from '../../src/media/video.js';

test('makeVideo / checkVideo reject a buffer of the wrong length, naming the shape', () => {
  assert.equal(makeVideo(2, 3, 4, 3).data.length, 72);
  assert.throws(() => makeVideo(2, 3, 4, 1, new Uint8Array(5)), /data has 5 bytes but \(T=2, H=3, W=4, C=1\) needs 24/);
  assert.throws(() => checkVideo({ frames: 1, height: 1, width: 1, channels: 2 as 1, data: new Uint8Array(2) }), /C must be 1 or 3/);
});

test('frameAt is a view; sliceFrames and videoFromFrames copy in (T, H, W, C) order', () => {
  const v = makeVideo(4, 2, 2, 1, Uint8Array.from({ length: 16 }, (_, i) => i));
  const f2 = frameAt(v, 2);
  assert.deepEqual([...f2.data], [8, 9, 10, 11]);
  f2.data[0] = 99;
  assert.equal(v.data[8], 99);
  const s = sliceFrames(v, 1, 2, 2); // frames 1 and 3
  assert.deepEqual([...s.data], [4, 5, 6, 7, 12, 13, 14, 15]);
  assert.throws(() => sliceFrames(v, 2, 2, 2), /outside \[0, 4\)/);
  const back = videoFromFrames([frameAt(v, 3), frameAt(v, 0)]);
  assert.deepEqual([...back.data], [12, 13, 14, 15, 0, 1, 2, 3]);
  assert.throws(() => frameAt(v, 4), RangeError);
});

test('toRGB repeats gray; toGray uses BT.601 weights', () => {
  const g = makeVideo(1, 1, 2, 1, Uint8Array.of(7, 200));
  assert.deepEqual([...toRGB(g).data], [7, 7, 7, 200, 200, 200]);
  const rgb = makeVideo(1, 1, 2, 3, Uint8Array.of(255, 0, 0, 10, 20, 30));
  // 0.299*255 = 76.245 -> 76; 0.299*10 + 0.587*20 + 0.114*30 = 18.12 -> 18
  assert.deepEqual([...toGray(rgb).data], [76, 18]);
  assert.equal(toGray(g), g);
});

test('area resize: 2x shrink averages 2x2 blocks (golden from algebra)', () => {
  // 4x4 gray, values 0..15; each output pixel is the mean of one 2x2 block.
  const im = { height: 4, width: 4, channels: 1 as const, data: Uint8Array.from({ length: 16 }, (_, i) => i * 10) };
  const out = resizeCropImage(im, 2, 2, 'area');
  const mean = (...i: number[]) => Math.round(i.reduce((a, b) => a + b * 10, 0) / i.length);
  assert.deepEqual([...out.data], [mean(0, 1, 4, 5), mean(2, 3, 6, 7), mean(8, 9, 12, 13), mean(10, 11, 14, 15)]);
});

test('resize shorter side + centre crop: 120x160 -> 64x64 keeps the centre and constant images stay constant', () => {
  // Left third 0, middle third 100, right third 200 (columns); crop of the centre must drop the
  // outermost columns: scale 64/120 gives width 85.3, crop 64 -> source columns ~20..140.
  const H = 120, W = 160;
  const data = new Uint8Array(H * W * 3); // (H, W, 3)
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.fill(x < 20 ? 0 : x >= 140 ? 200 : 100, (y * W + x) * 3, (y * W + x) * 3 + 3);
  const v = resizeCropVideo({ frames: 2, height: H, width: W, channels: 3, data: new Uint8Array([...data, ...data]) }, 64, 64, 'area');
  assert.deepEqual([v.frames, v.height, v.width, v.channels], [2, 64, 64, 3]);
  const inner = v.data.filter((_, i) => { const x = Math.floor(i / 3) % 64; return x > 0 && x < 63; });
  assert.ok(inner.every((b) => b === 100), 'interior columns come from the middle band only');
  for (const filter of ['area', 'bilinear'] as const) {
    const c = resizeCropVideo(makeVideo(1, 37, 53, 1, new Uint8Array(37 * 53).fill(77)), 16, 24, filter);
    assert.ok(c.data.every((b) => b === 77), `${filter}: constant stays constant`);
  }
});

test('bilinear upscale 2x of a 1x2 ramp interpolates between pixel centres', () => {
  const out = resizeCropImage({ height: 1, width: 2, channels: 1, data: Uint8Array.of(0, 100) }, 2, 4, 'bilinear');
  // Output centres map to source x = -0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped 1).
  assert.deepEqual([...out.data.subarray(0, 4)], [0, 25, 75, 100]);
});
