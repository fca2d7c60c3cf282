/**
 * Test helpers: make small video files with ffmpeg's lavfi sources, and decode files with a
 * plain ffmpeg call (independent of src/media/ffmpeg.ts) to check our encoders against.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary folder; `cleanup` removes it. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `t2v-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function ffmpeg(args: string[]): Buffer {
  return execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { maxBuffer: 1 << 28 });
}

/** Codec arguments that suit the container of `path`. */
function codecFor(path: string): string[] {
  if (path.endsWith('.avi')) return ['-c:v', 'mpeg4', '-q:v', '2'];
  if (path.endsWith('.mp4')) return ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '10', '-pix_fmt', 'yuv420p'];
  return [];
}

/**
 * A white 16x24 box moving horizontally at 40 px/s over a black 96x72 background, 25 fps:
 * left to right from x = 0, or right to left from x = 80.
 */
export function movingBox(path: string, direction: 'ltr' | 'rtl', seconds = 2): void {
  const x = direction === 'ltr' ? 't*40' : '80-t*40';
  ffmpeg(['-f', 'lavfi', '-i', `color=c=black:s=96x72:r=25:d=${seconds}[bg];color=c=white:s=16x24:r=25[box];` +
    `[bg][box]overlay=x='${x}':y=24:shortest=1`, ...codecFor(path), path]);
}

/** ffmpeg's test pattern, `size` WxH, `rate` fps, `seconds` long. */
export function testsrc(path: string, size = '96x72', rate = 25, seconds = 1): void {
  ffmpeg(['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${rate}`, '-t', String(seconds), ...codecFor(path), path]);
}

/** Decode every frame of a file with plain ffmpeg: raw bytes, (T, H, W, C) in `pixFmt`. */
export function rawFrames(path: string, pixFmt: 'gray' | 'rgb24'): Buffer {
  return ffmpeg(['-i', path, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', pixFmt, '-']);
}

/** Deterministic pseudo-random bytes (xorshift32). */
export function noise(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}
