/**
 * MNIST idx-file reader, for SyncDraw-MM built from real handwritten digits (paper Section 4.1:
 * the moving digits are MNIST digits). `t2v data syncdraw --mnist DIR` draws train-split videos
 * from the MNIST training images and val/test videos from the MNIST test images, so no digit
 * instance is shared between training and evaluation.
 *
 * idx format (http://yann.lecun.com/exdb/mnist/): a big-endian header — two zero bytes, a dtype
 * byte (0x08 = unsigned byte), the number of dimensions — then one uint32 per dimension, then
 * the data in row-major order. Files may be gzip-compressed (`.gz`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** A missing, malformed or inconsistent MNIST file; the message names the file and what to do. */
export class MnistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MnistError';
  }
}

/** One MNIST part (training or test set). */
export interface MnistSet {
  /** (N, 28, 28) uint8, white on black */
  images: Uint8Array;
  /** (N,) uint8 digit labels 0–9 */
  labels: Uint8Array;
  count: number;
  /** Indices of the images of each digit: byDigit[d] lists every n with labels[n] === d. */
  byDigit: Int32Array[];
}

/** Which MNIST part: 'train' (60000 images) or 'test' (10000, files named t10k-…). */
export type MnistPart = 'train' | 'test';

const PREFIX: Record<MnistPart, string> = { train: 'train', test: 't10k' };

/** The file names tried for one part and kind, in order (the official names and a common variant). */
function candidates(dir: string, part: MnistPart, kind: 'images' | 'labels'): string[] {
  const n = kind === 'images' ? 3 : 1;
  const base = [`${PREFIX[part]}-${kind}-idx${n}-ubyte`, `${PREFIX[part]}-${kind}.idx${n}-ubyte`];
  return base.flatMap((b) => [join(dir, b), join(dir, `${b}.gz`)]);
}

function findFile(dir: string, part: MnistPart, kind: 'images' | 'labels'): string {
  const tried = candidates(dir, part, kind);
  const found = tried.find((p) => existsSync(p));
  if (!found) {
    throw new MnistError(
      `MNIST folder '${dir}' has no ${kind} file for the ${part} part (looked for ${tried.map((p) => `'${p}'`).join(', ')}). ` +
        'Put the four MNIST idx files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, ' +
        't10k-labels-idx1-ubyte, optionally .gz) in that folder, or leave out --mnist to use procedural digits.',
    );
  }
  return found;
}

/**
 * Read one idx file (gzip-compressed if its name ends in `.gz`), checking the magic number, the
 * dtype (unsigned byte only), the expected number of dimensions and that the size matches.
 */
export function readIdx(path: string, expectDims: number): { dims: number[]; data: Uint8Array } {
  let bytes: Uint8Array = readFileSync(path);
  if (path.endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new MnistError(`MNIST file '${path}' is not valid gzip (${(err as Error).message}); re-download it`);
    }
  }
  const bad = (what: string): Error => new MnistError(`MNIST file '${path}' ${what}; re-download it from the MNIST site`);
  if (bytes.length < 4) throw bad('is too short to hold an idx header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw bad(`does not start with the idx magic number (got 0x${magic.toString(16).padStart(8, '0')})`);
  if (bytes[2] !== 0x08) throw bad(`has idx dtype 0x${bytes[2]!.toString(16)}, expected 0x08 (unsigned byte)`);
  if (bytes[3] !== expectDims) throw bad(`has ${bytes[3]} dimensions (magic 0x${magic.toString(16).padStart(8, '0')}), expected ${expectDims}`);
  const header = 4 + 4 * expectDims;
  if (bytes.length < header) throw bad('is truncated inside its header');
  const dims: number[] = [];
  for (let i = 0; i < expectDims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    throw bad(`holds ${bytes.length - header} data bytes but its header (${dims.join('×')}) says ${size}`);
  }
  return { dims, data: bytes.subarray(header) };
}

/** Load one MNIST part from `dir`, validating that images are 28×28 and counts and labels agree. */
export function loadMnist(dir: string, part: MnistPart): MnistSet {
  if (!existsSync(dir)) throw new MnistError(`MNIST folder '${dir}' does not exist; pass the folder holding the idx files to --mnist`);
  const imgPath = findFile(dir, part, 'images');
  const lblPath = findFile(dir, part, 'labels');
  const img = readIdx(imgPath, 3);
  const lbl = readIdx(lblPath, 1);
  const [count, rows, cols] = img.dims as [number, number, number];
  if (rows !== 28 || cols !== 28) throw new MnistError(`MNIST file '${imgPath}' has ${rows}×${cols} images; SyncDraw-MM needs 28×28`);
  if (lbl.dims[0] !== count) {
    throw new MnistError(`MNIST ${part} part: '${imgPath}' has ${count} images but '${lblPath}' has ${lbl.dims[0]} labels; the files do not belong together`);
  }
  const lists: number[][] = Array.from({ length: 10 }, () => []);
  for (let n = 0; n < count; n++) {
    const d = lbl.data[n]!;
    if (d > 9) throw new MnistError(`MNIST file '${lblPath}' has label ${d} at index ${n}; labels must be 0..9`);
    lists[d]!.push(n);
  }
  const missing = lists.findIndex((l) => l.length === 0);
  if (missing >= 0) throw new MnistError(`MNIST ${part} part in '${dir}' has no image of digit ${missing}`);
  return { images: img.data, labels: lbl.data, count, byDigit: lists.map((l) => Int32Array.from(l)) };
}

/** Copy MNIST image `n` into a (28, 28) uint8 buffer. */
export function mnistGlyph(set: MnistSet, n: number, out?: Uint8Array): Uint8Array {
  const g = out ?? new Uint8Array(784); // (28, 28) uint8
  g.set(set.images.subarray(n * 784, (n + 1) * 784));
  return g;
}
