/**
 * Looping animated GIF89a encoder in pure TypeScript (spec: https://www.w3.org/Graphics/GIF/spec-gif89a.txt).
 *
 * 1. One global 256-entry palette: 256 grays for gray video (lossless), and for RGB video either
 *    a median-cut palette fitted to the video (default) or the fixed 6x7x6 colour cube.
 *    RGB videos whose pixels are all gray use the gray palette and stay lossless.
 * 2. NETSCAPE2.0 application extension so players loop (0 = forever).
 * 3. Per frame: a graphic control extension with the delay (centiseconds, spread so the total
 *    matches fps exactly) and an image descriptor covering the whole screen.
 * 4. LZW with variable code size (9..12 bits for 8-bit indices) and a clear code whenever the
 *    4096-entry table fills, packed LSB-first into sub-blocks of at most 255 bytes.
 */
import { writeFileAtomic } from '../io/atomic.js';
import { checkVideo, type VideoU8 } from './video.js';

/** Options for {@link encodeGif}. */
export interface GifOptions {
  /** Frames per second; each frame waits 100/fps centiseconds (at least 2, browsers' floor). Default 8. */
  fps?: number;
  /** Times to loop; 0 = forever (default). */
  loop?: number;
  /** Palette for RGB videos: fitted by median cut (default) or the fixed 6x7x6 cube. */
  palette?: 'median-cut' | 'cube';
}

/** A 256-entry palette (256*3 bytes RGB) and a mapper from one pixel to its index. */
interface Palette {
  rgb: Uint8Array; // (256, 3) uint8
  index(data: Uint8Array, p: number): number;
}

const grayPalette = (): Palette => {
  const rgb = new Uint8Array(768);
  for (let i = 0; i < 256; i++) rgb.fill(i, i * 3, i * 3 + 3);
  return { rgb, index: (d, p) => d[p]! };
};

/** The fixed 6 (red) x 7 (green) x 6 (blue) cube: 252 colours, 4 unused black entries. */
export function cubePalette(): Uint8Array {
  const rgb = new Uint8Array(768); // (256, 3)
  for (let r = 0; r < 6; r++) for (let g = 0; g < 7; g++) for (let b = 0; b < 6; b++) {
    const i = (r * 7 + g) * 6 + b;
    rgb[i * 3] = Math.round((r * 255) / 5);
    rgb[i * 3 + 1] = Math.round((g * 255) / 6);
    rgb[i * 3 + 2] = Math.round((b * 255) / 5);
  }
  return rgb;
}

const cube = (): Palette => ({
  rgb: cubePalette(),
  index: (d, p) => (Math.round((d[p]! * 5) / 255) * 7 + Math.round((d[p + 1]! * 6) / 255)) * 6 + Math.round((d[p + 2]! * 5) / 255),
});

/**
 * Median cut (Heckbert 1982) on a 5-bit-per-channel histogram: repeatedly split the box with the
 * widest channel range at the pixel-count median until 256 boxes; each box's mean is an entry.
 * Every histogram bin then maps to its nearest entry.
 */
function medianCut(data: Uint8Array): Palette {
  const hist = new Uint32Array(32768); // (32, 32, 32) counts
  const bin = (d: Uint8Array, p: number) => ((d[p]! >> 3) << 10) | ((d[p + 1]! >> 3) << 5) | (d[p + 2]! >> 3);
  for (let p = 0; p < data.length; p += 3) hist[bin(data, p)]!++;
  let boxes: number[][] = [Array.from(hist.keys()).filter((b) => hist[b]! > 0)];
  const chan = (b: number, c: number) => (b >> (10 - 5 * c)) & 31;
  while (boxes.length < 256) {
    let best = -1, bestRange = 0, bestChan = 0;
    boxes.forEach((bx, i) => {
      if (bx.length < 2) return;
      for (let c = 0; c < 3; c++) {
        let lo = 31, hi = 0;
        for (const b of bx) { const v = chan(b, c); lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (hi - lo > bestRange) { bestRange = hi - lo; best = i; bestChan = c; }
      }
    });
    if (best < 0) break;
    const bx = boxes[best]!.sort((a, b) => chan(a, bestChan) - chan(b, bestChan));
    const total = bx.reduce((s, b) => s + hist[b]!, 0);
    let acc = 0, cut = 1;
    for (; cut < bx.length - 1; cut++) { acc += hist[bx[cut - 1]!]!; if (acc * 2 >= total) break; }
    boxes = [...boxes.slice(0, best), bx.slice(0, cut), bx.slice(cut), ...boxes.slice(best + 1)];
  }
  const rgb = new Uint8Array(768); // (256, 3)
  boxes.forEach((bx, i) => {
    const sum = [0, 0, 0];
    let n = 0;
    for (const b of bx) for (let c = 0; c < 3; c++) { sum[c]! += (chan(b, c) * 8 + 4) * hist[b]!; if (c === 0) n += hist[b]!; }
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(sum[c]! / n);
  });
  const map = new Uint8Array(32768);
  for (let b = 0; b < 32768; b++) {
    if (hist[b] === 0) continue;
    let best = 0, bestD = Infinity;
    for (let i = 0; i < boxes.length; i++) {
      const d = (chan(b, 0) * 8 + 4 - rgb[i * 3]!) ** 2 + (chan(b, 1) * 8 + 4 - rgb[i * 3 + 1]!) ** 2 + (chan(b, 2) * 8 + 4 - rgb[i * 3 + 2]!) ** 2;
      if (d < bestD) { bestD = d; best = i; }
    }
    map[b] = best;
  }
  return { rgb, index: (d, p) => map[bin(d, p)]! };
}

/** A growable byte buffer. */
class Bytes {
  buf = new Uint8Array(1 << 16);
  length = 0;
  push(...bytes: number[]): void {
    for (const b of bytes) this.byte(b);
  }
  byte(b: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = b & 0xff;
  }
  u16(v: number): void {
    this.push(v & 0xff, (v >> 8) & 0xff);
  }
  result(): Buffer {
    return Buffer.from(this.buf.buffer, 0, this.length);
  }
}

/**
 * LZW-compress one frame's palette indices into `out` as GIF image data: the minimum code size
 * byte, sub-blocks of at most 255 bytes, and the zero-length terminator. `table` is scratch space
 * of 4096*256 entries shared between frames; `gen` tags its live entries (see below).
 */
function lzwEncode(indices: Uint8Array, out: Bytes, scratch: { table: Int32Array; gen: number }): void {
  const minCodeSize = 8;
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  const packed = new Bytes();
  let cur = 0, nbits = 0, codeSize = minCodeSize + 1, next = eoi + 1;
  const emit = (code: number) => {
    cur |= code << nbits;
    nbits += codeSize;
    while (nbits >= 8) { packed.byte(cur & 0xff); cur >>>= 8; nbits -= 8; }
  };
  // The table maps (prefix code, next index) -> code. An entry is live when its high bits equal
  // the current generation, so a clear is one increment instead of a 4 MB fill.
  const newGeneration = () => {
    if (++scratch.gen >= 1 << 19) { scratch.table.fill(0); scratch.gen = 1; }
  };
  newGeneration();
  emit(clear);
  let prefix = indices[0]!;
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i]!;
    const key = (prefix << 8) | k;
    const hit = scratch.table[key]!;
    if (hit >>> 12 === scratch.gen) { prefix = hit & 4095; continue; }
    emit(prefix);
    if (next === 4096) {
      // Table full: tell the decoder to start over.
      emit(clear);
      newGeneration();
      next = eoi + 1;
      codeSize = minCodeSize + 1;
    } else {
      // The decoder adds this entry one code later, so it widens when `next` reaches 2^codeSize.
      if (next >= 1 << codeSize) codeSize++;
      scratch.table[key] = (scratch.gen << 12) | next++;
    }
    prefix = k;
  }
  emit(prefix);
  emit(eoi);
  if (nbits > 0) packed.byte(cur & 0xff);
  out.byte(minCodeSize);
  const data = packed.buf.subarray(0, packed.length);
  for (let o = 0; o < data.length; o += 255) {
    const n = Math.min(255, data.length - o);
    out.byte(n);
    for (let j = 0; j < n; j++) out.byte(data[o + j]!);
  }
  out.byte(0);
}

/** True when every RGB pixel has r = g = b. */
function isGrayRGB(d: Uint8Array): boolean {
  for (let p = 0; p < d.length; p += 3) if (d[p] !== d[p + 1] || d[p] !== d[p + 2]) return false;
  return true;
}

/**
 * Encode a video as a looping animated GIF. Gray video is stored exactly; RGB video is
 * quantised to one 256-colour palette for the whole video.
 * @example writeFileSync('x.gif', encodeGif(video, { fps: 8 }))
 */
export function encodeGif(v: VideoU8, opts: GifOptions = {}): Buffer {
  checkVideo(v, 'encodeGif');
  const fps = opts.fps ?? 8;
  if (!(fps > 0)) throw new Error(`encodeGif: fps must be positive, got ${fps}`);
  if (v.frames < 1 || v.width > 65535 || v.height > 65535 || v.width < 1 || v.height < 1) {
    throw new Error(`encodeGif: cannot encode ${v.frames} frames of ${v.height}x${v.width} (need >= 1 frame, sides 1..65535)`);
  }
  const C = v.channels;
  const gray = C === 1 || isGrayRGB(v.data);
  const pal = gray ? grayPalette() : opts.palette === 'cube' ? cube() : medianCut(v.data);
  const out = new Bytes();
  // 1. Header, logical screen descriptor (global table of 2^(7+1) entries), palette.
  for (const ch of 'GIF89a') out.byte(ch.charCodeAt(0));
  out.u16(v.width);
  out.u16(v.height);
  out.push(0xf7, 0, 0);
  for (const b of pal.rgb) out.byte(b);
  // 2. Loop forever (or `loop` times).
  out.push(0x21, 0xff, 11);
  for (const ch of 'NETSCAPE2.0') out.byte(ch.charCodeAt(0));
  out.push(3, 1);
  out.u16(opts.loop ?? 0);
  out.byte(0);
  // 3-4. Frames.
  const n = v.height * v.width;
  const indices = new Uint8Array(n); // (H, W) palette indices
  const scratch = { table: new Int32Array(4096 * 256), gen: 0 };
  const cs = (k: number) => Math.round((100 * k) / fps);
  for (let t = 0; t < v.frames; t++) {
    const base = t * n * C;
    for (let i = 0; i < n; i++) indices[i] = pal.index(v.data, base + i * C);
    const delay = Math.max(2, cs(t + 1) - cs(t));
    out.push(0x21, 0xf9, 4, 1 << 2); // disposal 1: leave the frame in place
    out.u16(delay);
    out.push(0, 0);
    out.byte(0x2c);
    out.u16(0);
    out.u16(0);
    out.u16(v.width);
    out.u16(v.height);
    out.byte(0); // no local palette, not interlaced
    lzwEncode(indices, out, scratch);
  }
  out.byte(0x3b);
  return out.result();
}

/** Encode and write a GIF file atomically. */
export function writeGif(path: string, v: VideoU8, opts: GifOptions = {}): void {
  writeFileAtomic(path, encodeGif(v, opts));
}
