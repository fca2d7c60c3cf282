import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, decodePng, encodePng, writePng } from '../../src/media/png.js';
import { noise, rawFrames, tempDir } from './clips.js';

test('crc32 matches the published check value and the IEND chunk CRC', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926); // CRC-32 check value (ITU-T V.42)
  assert.equal(crc32(Buffer.from('IEND')), 0xae426082); // the CRC every PNG ends with
});

test('encodePng -> decodePng round trip (gray and RGB, odd sizes)', () => {
  for (const [H, W, C] of [[1, 1, 1], [7, 13, 1], [5, 9, 3], [64, 33, 3]] as const) {
    const im = { height: H, width: W, channels: C, data: noise(H * W * C, H * 31 + W) };
    const back = decodePng(encodePng(im));
    assert.deepEqual([back.height, back.width, back.channels], [H, W, C]);
    assert.deepEqual(back.data, im.data);
  }
});

test('ffmpeg decodes our PNGs to the same pixels; we decode ffmpeg-written PNGs', () => {
  const { dir, cleanup } = tempDir('png');
  try {
    const gray = { height: 12, width: 17, channels: 1 as const, data: noise(12 * 17, 3) };
    const rgb = { height: 12, width: 17, channels: 3 as const, data: noise(12 * 17 * 3, 4) };
    writePng(join(dir, 'g.png'), gray);
    writePng(join(dir, 'c.png'), rgb);
    assert.deepEqual(new Uint8Array(rawFrames(join(dir, 'g.png'), 'gray')), gray.data);
    assert.deepEqual(new Uint8Array(rawFrames(join(dir, 'c.png'), 'rgb24')), rgb.data);
    // ffmpeg's own encoder uses all five row filters (Paeth etc.): our decoder must undo them.
    const raw = join(dir, 'c.rgb');
    writeFileSync(raw, rgb.data);
    const png = join(dir, 'ff.png');
    rawToPng(raw, png);
    assert.deepEqual(decodePng(readFileSync(png)).data, rgb.data);
  } finally {
    cleanup();
  }
});

test('decodePng reports corruption and unsupported files clearly', () => {
  const bytes = encodePng({ height: 2, width: 2, channels: 1, data: Uint8Array.of(1, 2, 3, 4) });
  bytes[bytes.length - 20] ^= 0xff; // inside IDAT
  assert.throws(() => decodePng(bytes, 'x.png'), /x\.png: CRC mismatch in IDAT/);
  assert.throws(() => decodePng(Buffer.from('hello'), 'y.png'), /y\.png: not a PNG file/);
});

function rawToPng(raw: string, png: string): void {
  // -pred mixed makes ffmpeg choose the row filter per row (None/Sub/Up/Average/Paeth).
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '17x12', '-i', raw, '-pred', 'mixed', png]);
}
