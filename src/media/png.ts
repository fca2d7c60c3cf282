/**
 * PNG (ISO/IEC 15948, https://www.w3.org/TR/png/) for 8-bit gray and RGB images: an encoder for
 * frames, strips and grids, and a small decoder for the files we write (non-interlaced, 8-bit
 * gray / gray+alpha / RGB / RGBA, all five row filters) used by tests and tools.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { writeFileAtomic } from '../io/atomic.js';
import type { ImageU8 } from './video.js';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309 / ITU-T V.42, polynomial 0xEDB88320) as PNG chunks use it. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** One chunk: length, type, data, CRC over type + data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encode an 8-bit gray (C = 1) or RGB (C = 3) image as PNG bytes. Rows use the Sub filter,
 * which suits the smooth images we write and keeps the encoder simple.
 * @example encodePng({ height: 1, width: 1, channels: 1, data: Uint8Array.of(0) }).length // 67
 */
export function encodePng(im: ImageU8, level = 6): Buffer {
  const { height: H, width: W, channels: C } = im;
  if (im.data.length !== H * W * C || (C !== 1 && C !== 3) || H < 1 || W < 1) {
    throw new Error(`encodePng: image ${H}x${W}x${C} with ${im.data.length} bytes is not a valid 8-bit gray/RGB image`);
  }
  const stride = W * C;
  const raw = new Uint8Array(H * (stride + 1)); // (H, 1 + W*C): filter byte + filtered row
  for (let y = 0; y < H; y++) {
    const o = y * (stride + 1);
    const row = im.data.subarray(y * stride, (y + 1) * stride);
    raw[o] = 1; // Sub: x - a, where a is the byte one pixel to the left
    for (let i = 0; i < stride; i++) raw[o + 1 + i] = (row[i]! - (i >= C ? row[i - C]! : 0)) & 0xff;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(W, 0);
  ihdr.writeUInt32BE(H, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = C === 1 ? 0 : 2; // colour type: 0 gray, 2 truecolour
  // bytes 10..12: compression 0 (deflate), filter method 0, no interlace
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Write an image as a PNG file (atomically: readers never see a half-written file). */
export function writePng(path: string, im: ImageU8): void {
  writeFileAtomic(path, encodePng(im));
}

/** Paeth predictor (PNG spec 9.4). */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decode a non-interlaced 8-bit PNG (gray, gray+alpha, RGB or RGBA; alpha is dropped) into an
 * {@link ImageU8}. Meant for files we wrote and simple files from other tools; palette, 16-bit
 * and interlaced images are rejected with an error saying so.
 */
export function decodePng(buf: Uint8Array, source = 'PNG data'): ImageU8 {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8 || !SIGNATURE.every((v, i) => b[i] === v)) throw new Error(`${source}: not a PNG file (bad signature)`);
  let pos = 8;
  let W = 0, H = 0, colourType = -1;
  const idat: Buffer[] = [];
  while (pos + 12 <= b.length) {
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    const data = b.subarray(pos + 8, pos + 8 + len);
    if (crc32(b.subarray(pos + 4, pos + 8 + len)) !== b.readUInt32BE(pos + 8 + len)) {
      throw new Error(`${source}: CRC mismatch in ${type} chunk at byte ${pos}; the file is corrupt`);
    }
    if (type === 'IHDR') {
      W = data.readUInt32BE(0);
      H = data.readUInt32BE(4);
      colourType = data[9]!;
      if (data[8] !== 8 || data[12] !== 0 || ![0, 2, 4, 6].includes(colourType)) {
        throw new Error(`${source}: unsupported PNG (bit depth ${data[8]}, colour type ${colourType}, ` +
          `interlace ${data[12]}); only 8-bit non-interlaced gray/RGB(A) is decoded`);
      }
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  if (colourType < 0 || idat.length === 0) throw new Error(`${source}: PNG has no IHDR or IDAT chunk`);
  const inC = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colourType]!;
  const stride = W * inC;
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length < H * (stride + 1)) throw new Error(`${source}: image data is truncated`);
  const px = new Uint8Array(H * stride); // (H, W, inC) unfiltered
  for (let y = 0; y < H; y++) {
    const f = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const o = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= inC ? px[o + i - inC]! : 0;
      const up = y > 0 ? px[o - stride + i]! : 0;
      const c = y > 0 && i >= inC ? px[o - stride + i - inC]! : 0;
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? up : f === 3 ? (a + up) >> 1 : f === 4 ? paeth(a, up, c) : -1;
      if (pred < 0) throw new Error(`${source}: unknown row filter ${f} in row ${y}`);
      px[o + i] = (line[i]! + pred) & 0xff;
    }
  }
  const C: 1 | 3 = inC <= 2 ? 1 : 3;
  if (C === inC) return { height: H, width: W, channels: C, data: px };
  const out = new Uint8Array(H * W * C); // (H, W, C) with alpha dropped
  for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) out[p * C + c] = px[p * inC + c]!;
  return { height: H, width: W, channels: C, data: out };
}
