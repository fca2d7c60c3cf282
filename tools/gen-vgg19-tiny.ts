/**
 * Generates test/fixtures/vgg19-tiny/vgg19.safetensors: a VGG19 with torchvision's `features.*`
 * keys and layer indices (src/models/vgg19.ts) but 2–4 channels per block, for the perceptual-loss
 * tests. Plain JS (no engine, no PyTorch): deterministic weights from an LCG, so the file is
 * reproducible byte for byte. Run `npm run build && node dist/tools/gen-vgg19-tiny.js`;
 * `--check` only compares with the checked-in file (test/tools/gen-vgg19-tiny.test.ts).
 *
 * Weights: He-uniform U(±√(6/fan_in)), fan_in = 9·C_in; biases U(0.05, 0.25), positive so that
 * the narrow ReLU stack keeps some units alive down to block5. A small `classifier.0.weight` /
 * `classifier.0.bias` is added as torchvision's file has one, which the loader must ignore.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeSafetensors, writeSafetensors, type RawTensor } from '../src/io/safetensors.js';

/** Output channels per block (VGG19: 64, 128, 256, 512, 512). */
const WIDTHS = [2, 3, 4, 4, 4];
/** Convolutions per block (VGG19, configuration E). */
const CONVS = [2, 2, 4, 4, 4];

/** Uniform values in [lo, hi) from a 32-bit LCG (Numerical Recipes constants). */
function lcg(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (hi - lo) * (s / 2 ** 32);
  };
}

function f32(shape: number[], fill: () => number): RawTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, fill); // row-major
  return { dtype: 'F32', shape, data: new Uint8Array(data.buffer) };
}

/** The fixture's tensors: `features.{i}.weight` (C_out, C_in, 3, 3), `features.{i}.bias` (C_out), classifier. */
function tinyVgg19(): Map<string, RawTensor> {
  const u = lcg(19);
  const out = new Map<string, RawTensor>();
  let index = 0;
  let cin = 3;
  CONVS.forEach((convs, b) => {
    const cout = WIDTHS[b]!;
    for (let k = 0; k < convs; k++) {
      const bound = Math.sqrt(6 / (9 * cin));
      out.set(`features.${index}.weight`, f32([cout, cin, 3, 3], () => u(-bound, bound)));
      out.set(`features.${index}.bias`, f32([cout], () => u(0.05, 0.25)));
      cin = cout;
      index += 2; // conv, ReLU
    }
    index += 1; // max-pool
  });
  out.set('classifier.0.weight', f32([5, cin], () => u(-1, 1)));
  out.set('classifier.0.bias', f32([5], () => 0));
  return out;
}

const here = dirname(fileURLToPath(import.meta.url));
const file = join(here, '../../test/fixtures/vgg19-tiny/vgg19.safetensors');
const metadata = { format: 'pt' };
if (process.argv.includes('--check')) {
  const want = serializeSafetensors(tinyVgg19(), metadata);
  if (!existsSync(file) || !Buffer.from(readFileSync(file)).equals(want)) {
    console.error(`gen-vgg19-tiny: ${file} differs from what tools/gen-vgg19-tiny.ts generates; run \`node dist/tools/gen-vgg19-tiny.js\``);
    process.exit(1);
  }
  console.log(`gen-vgg19-tiny: ${file} is up to date`);
} else {
  mkdirSync(dirname(file), { recursive: true });
  writeSafetensors(file, tinyVgg19(), metadata);
  console.log(`gen-vgg19-tiny: wrote ${file}`);
}
