import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cubePalette, encodeGif, writeGif } from '../../src/media/gif.js';
import { noise, rawFrames, tempDir } from './clips.js';

/** Frame count, loop count and delays (centiseconds) read straight from the GIF bytes. */
function gifInfo(b: Buffer): { loop: number; delays: number[] } {
  const loopAt = b.indexOf('NETSCAPE2.0');
  const delays: number[] = [];
  for (let i = b.indexOf(Buffer.from([0x21, 0xf9, 4])); i >= 0; i = b.indexOf(Buffer.from([0x21, 0xf9, 4]), i + 1)) delays.push(b.readUInt16LE(i + 4));
  return { loop: loopAt >= 0 ? b.readUInt16LE(loopAt + 13) : -1, delays };
}

test('gray GIF decodes (via ffmpeg) to exactly the input frames, including LZW table resets', () => {
  const { dir, cleanup } = tempDir('gif');
  try {
    // Random bytes fill the 4096-entry code table every few thousand pixels: many clear codes.
    const T = 4, H = 61, W = 97;
    const data = noise(T * H * W, 7);
    for (let i = 0; i < 256; i++) data[i] = i; // every gray level present
    const path = join(dir, 'g.gif');
    writeGif(path, { frames: T, height: H, width: W, channels: 1, data }, { fps: 10 });
    assert.deepEqual(new Uint8Array(rawFrames(path, 'gray')), data);
    // Smooth content (long runs, codes up to 12 bits without resets) also exact.
    const ramp = Uint8Array.from({ length: 3 * 64 * 64 }, (_, i) => (i >> 6) & 0xff);
    writeGif(path, { frames: 3, height: 64, width: 64, channels: 1, data: ramp });
    assert.deepEqual(new Uint8Array(rawFrames(path, 'gray')), ramp);
  } finally {
    cleanup();
  }
});

test('GIF has the NETSCAPE2.0 loop extension and per-frame delays that add up to the fps', () => {
  const v = { frames: 6, height: 2, width: 2, channels: 1 as const, data: new Uint8Array(24) };
  const info = gifInfo(encodeGif(v, { fps: 6 }));
  assert.equal(info.loop, 0);
  assert.equal(info.delays.length, 6);
  assert.equal(info.delays.reduce((a, b) => a + b, 0), 100, '6 frames at 6 fps = 1 s = 100 cs');
  assert.deepEqual(gifInfo(encodeGif(v, { fps: 25 })).delays, [4, 4, 4, 4, 4, 4]);
});

test('RGB GIF: cube palette maps each channel to its nearest level; median cut is close; gray RGB stays exact', () => {
  const { dir, cleanup } = tempDir('gifrgb');
  try {
    const T = 2, H = 16, W = 24;
    const data = noise(T * H * W * 3, 11);
    const path = join(dir, 'c.gif');
    writeGif(path, { frames: T, height: H, width: W, channels: 3, data }, { palette: 'cube' });
    const got = rawFrames(path, 'rgb24');
    const pal = cubePalette();
    const levels = [0, 1, 2].map((c) => new Set(Array.from({ length: 252 }, (_, i) => pal[i * 3 + c]!)));
    for (let i = 0; i < data.length; i++) {
      const lv = [...levels[i % 3]!];
      const best = Math.min(...lv.map((l) => Math.abs(l - data[i]!)));
      assert.ok(lv.includes(got[i]!) && Math.abs(got[i]! - data[i]!) === best, `byte ${i}: ${data[i]} -> ${got[i]}`);
    }
    // Median cut on a few-colour video: every colour gets its own entry (exact up to 5-bit bins).
    const few = new Uint8Array(T * H * W * 3);
    for (let p = 0; p < T * H * W; p++) few.set([[200, 40, 40], [40, 200, 40], [40, 40, 200], [250, 250, 10]][p % 4]!, p * 3);
    writeGif(path, { frames: T, height: H, width: W, channels: 3, data: few });
    const back = rawFrames(path, 'rgb24');
    assert.ok(few.every((b, i) => Math.abs(b - back[i]!) <= 4), 'median cut within one 5-bit bin');
    const gray = noise(T * H * W, 5);
    const grayRgb = new Uint8Array(gray.length * 3).map((_, i) => gray[Math.floor(i / 3)]!);
    writeGif(path, { frames: T, height: H, width: W, channels: 3, data: grayRgb });
    assert.deepEqual(new Uint8Array(rawFrames(path, 'gray')), gray);
  } finally {
    cleanup();
  }
});

test('encodeGif rejects empty videos and bad fps', () => {
  assert.throws(() => encodeGif({ frames: 0, height: 2, width: 2, channels: 1, data: new Uint8Array(0) }), /need >= 1 frame/);
  assert.throws(() => encodeGif({ frames: 1, height: 1, width: 1, channels: 1, data: new Uint8Array(1) }, { fps: 0 }), /fps must be positive/);
});
