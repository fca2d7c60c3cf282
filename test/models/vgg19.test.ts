// Tests for src/models/vgg19.ts on test/fixtures/vgg19-tiny (tools/gen-vgg19-tiny.ts: torchvision's
// keys and indices, 2–4 channels): torchvision's layout, taps against a plain-JS VGG19 written
// here from the layer table (conv 3×3 pad 1 / ReLU / 2×2 max-pool over ImageNet-normalised
// frames), truncated depth, the perceptual loss (zero on itself, its value from the plain-JS
// taps, its gradient against finite differences, none reaching the weights), the loader's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { PERCEPTUAL_TAPS, Vgg19Features, convIndices, loadVgg19, tapIndex } from '../../src/models/vgg19.js';
import { readSafetensors, writeSafetensors, type RawTensor } from '../../src/io/safetensors.js';
import { assertClose } from '../helpers/close.js';
import { assertNoLeak } from '../helpers/leak.js';
import { gradcheck } from '../helpers/gradcheck.js';

T.setNumThreads(1);

const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/vgg19-tiny', import.meta.url));

// ---- a plain-JS VGG19, from torchvision's layer table (not from src/) ---------------------------

const CONVS = [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34];
const POOLS = [4, 9, 18, 27, 36];
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

interface Map3 { c: number; h: number; w: number; data: Float64Array } // (C, H, W) row-major

const floats = (r: RawTensor): Float64Array => Float64Array.from(new Float32Array(r.data.slice().buffer));

function conv3x3(x: Map3, w: Float64Array, b: Float64Array): Map3 {
  const cout = b.length;
  const out = new Float64Array(cout * x.h * x.w);
  for (let o = 0; o < cout; o++) {
    for (let y = 0; y < x.h; y++) {
      for (let xx = 0; xx < x.w; xx++) {
        let s = b[o]!;
        for (let i = 0; i < x.c; i++) {
          for (let ky = 0; ky < 3; ky++) {
            const yy = y + ky - 1;
            if (yy < 0 || yy >= x.h) continue;
            for (let kx = 0; kx < 3; kx++) {
              const xs = xx + kx - 1;
              if (xs < 0 || xs >= x.w) continue;
              s += w[((o * x.c + i) * 3 + ky) * 3 + kx]! * x.data[(i * x.h + yy) * x.w + xs]!; // cross-correlation, as torch
            }
          }
        }
        out[(o * x.h + y) * x.w + xx] = s;
      }
    }
  }
  return { c: cout, h: x.h, w: x.w, data: out };
}

function maxPool2(x: Map3): Map3 {
  const [h, w] = [Math.floor(x.h / 2), Math.floor(x.w / 2)];
  const out = new Float64Array(x.c * h * w);
  for (let c = 0; c < x.c; c++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        const at = (dy: number, dx: number): number => x.data[(c * x.h + 2 * y + dy) * x.w + 2 * xx + dx]!;
        out[(c * h + y) * w + xx] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
      }
    }
  }
  return { c: x.c, h, w, data: out };
}

/** The plain-JS taps (features indices) of one normalised frame. */
function refTaps(sd: Map<string, RawTensor>, frame: Map3, taps: number[]): Map<number, Map3> {
  const out = new Map<number, Map3>();
  let x = frame;
  for (let i = 0; i <= Math.max(...taps); i++) {
    if (CONVS.includes(i)) x = conv3x3(x, floats(sd.get(`features.${i}.weight`)!), floats(sd.get(`features.${i}.bias`)!));
    else if (POOLS.includes(i)) x = maxPool2(x);
    else x = { ...x, data: x.data.map((v) => Math.max(v, 0)) };
    if (taps.includes(i)) out.set(i, x);
  }
  return out;
}

/** Frames n = b·T + t of a video (B, C, T, H, W) given as values, grey → RGB, ImageNet-normalised. */
function refFrames(v: Float64Array, [b, c, t, h, w]: number[]): Map3[] {
  const frames: Map3[] = [];
  for (let bi = 0; bi < b!; bi++) {
    for (let ti = 0; ti < t!; ti++) {
      const data = new Float64Array(3 * h! * w!);
      for (let ch = 0; ch < 3; ch++) {
        const src = c === 1 ? 0 : ch;
        for (let p = 0; p < h! * w!; p++) data[ch * h! * w! + p] = (v[((bi * c! + src) * t! + ti) * h! * w! + p]! - MEAN[ch]!) / STD[ch]!;
      }
      frames.push({ c: 3, h: h!, w: w!, data });
    }
  }
  return frames;
}

/** Deterministic values in [0, 1) (an LCG), as a video tensor and as numbers. */
function video(shape: number[], seed: number): { t: Tensor; v: Float64Array } {
  let s = seed >>> 0;
  const v = Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(s / 2 ** 32);
  });
  return { t: T.tensor(Float32Array.from(v), { shape }), v };
}

/** The reference taps of a whole video, concatenated over frames in `Tensor` order (N, C, h, w). */
function refVideoTaps(v: Float64Array, shape: number[], taps: number[]): number[][] {
  const sd = readSafetensors(join(FIXTURE, 'vgg19.safetensors')).tensors;
  const perFrame = refFrames(v, shape).map((f) => refTaps(sd, f, taps));
  return taps.map((i) => perFrame.flatMap((m) => Array.from(m.get(i)!.data)));
}

// ---- tests -------------------------------------------------------------------------------------

test("layout: torchvision's features indices; taps are the ReLUs after block4_conv3 (24) and block5_conv4 (35)", () =>
  assertNoLeak(() => {
    assert.deepEqual(convIndices(37), CONVS);
    assert.equal(tapIndex('block4_conv3'), 24);
    assert.equal(tapIndex('block5_conv4'), 35);
    assert.equal(tapIndex('block1_conv1'), 1);
    assert.deepEqual([...PERCEPTUAL_TAPS], ['block4_conv3', 'block5_conv4']);
    assert.throws(() => tapIndex('block4_pool'), /unknown feature layer 'block4_pool'; valid \(Keras names, after the ReLU\): block1_conv1, block1_conv2, block2_conv1/);
    const net = new Vgg19Features([2, 2, 3], ['block2_conv1']);
    const sd = net.stateDict();
    assert.deepEqual([...sd.keys()], ['features.0.weight', 'features.0.bias', 'features.2.weight', 'features.2.bias', 'features.5.weight', 'features.5.bias']);
    assert.deepEqual(sd.get('features.5.weight')!.shape, [3, 2, 3, 3]);
    for (const t of sd.values()) t.dispose();
    assert.equal(net.features.length, 7);
    assert.ok(net.parameters().every((p) => !p.requiresGrad), 'the weights are frozen');
    net.dispose();
    assert.throws(() => new Vgg19Features([2, 2], ['block2_conv1']), /block2_conv1 need 3 convolutions \(features\.0, 2, 5\), got 2 channel counts/);
  }));

test('the fixture taps equal a plain-JS VGG19 of the normalised frames (grey and RGB, B·T frames in order)', () =>
  assertNoLeak(() => {
    const vgg = loadVgg19(FIXTURE);
    assert.deepEqual(vgg.tapIndices, [24, 35]);
    for (const [shape, seed] of [[[2, 1, 2, 32, 32], 1], [[1, 3, 2, 32, 32], 2]] as [number[], number][]) {
      const { t, v } = video(shape, seed);
      const want = refVideoTaps(v, shape, [24, 35]);
      const got = T.tidy(() => vgg.forward(t));
      const n = shape[0]! * shape[2]!;
      assert.deepEqual(got.map((g) => g.shape), [[n, 4, 4, 4], [n, 4, 2, 2]]);
      got.forEach((g, i) => assertClose(g.toArray(), want[i]!, 1e-4, 1e-4, `${PERCEPTUAL_TAPS[i]} of [${shape.join(', ')}]`));
      // The comparison means something: taps are neither all zero nor the same for every frame.
      const deep = want[1]!;
      const per = deep.length / n;
      assert.ok(deep.some((x) => x > 0.01), 'block5_conv4 is not all zero');
      assert.ok(deep.slice(0, per).some((x, j) => Math.abs(x - deep[per + j]!) > 1e-3), 'frames differ at block5_conv4');
      for (const g of got) g.dispose();
      t.dispose();
    }
    vgg.dispose();
  }));

test('truncated depth: only the layers up to the deepest tap are built, loaded and run', () =>
  assertNoLeak(() => {
    const vgg = loadVgg19(FIXTURE, { taps: ['block2_conv1', 'block1_conv2'] });
    assert.equal(vgg.features.length, 7);
    assert.deepEqual([...vgg.namedParameters().keys()], ['features.0.weight', 'features.0.bias', 'features.2.weight', 'features.2.bias', 'features.5.weight', 'features.5.bias']);
    const shape = [1, 1, 1, 8, 8];
    const { t, v } = video(shape, 3);
    const want = refVideoTaps(v, shape, [6, 3]);
    const got = T.tidy(() => vgg.forward(t));
    assert.deepEqual(got.map((g) => g.shape), [[1, 3, 4, 4], [1, 2, 8, 8]]);
    got.forEach((g, i) => assertClose(g.toArray(), want[i]!, 1e-5, 1e-4, `tap ${i}`));
    for (const g of got) g.dispose();
    t.dispose();
    vgg.dispose();
  }));

test('perceptual loss: 0 on itself; Σ_taps mean squared difference of the plain-JS taps; its gradient reaches y only', () =>
  assertNoLeak(() => {
    const vgg = loadVgg19(FIXTURE);
    const shape = [1, 1, 2, 32, 32];
    const a = video(shape, 4);
    const b = video(shape, 5);
    assert.equal(T.tidy(() => vgg.perceptualLoss(a.t, a.t).item()), 0);
    const fa = refVideoTaps(a.v, shape, [24, 35]);
    const fb = refVideoTaps(b.v, shape, [24, 35]);
    const want = fa.reduce((s, f, i) => s + f.reduce((m, x, j) => m + (x - fb[i]![j]!) ** 2, 0) / f.length, 0);
    const y = b.t.clone().requiresGrad_(true);
    const loss = vgg.perceptualLoss(a.t, y);
    assertClose([loss.item()], [want], 1e-6, 1e-4, 'perceptual loss');
    loss.backward();
    const g = y.grad; // a new handle
    assert.ok(g !== null && T.tidy(() => g.abs().sum().item()) > 0, 'gradient reaches y');
    g.dispose();
    assert.ok(vgg.parameters().every((p) => p.grad === null), 'no gradient reaches the VGG weights');
    for (const t of [loss, y, a.t, b.t]) t.dispose();
    vgg.dispose();
  }));

test('perceptual loss gradient w.r.t. y matches central finite differences (float64)', () =>
  assertNoLeak(() => {
    const vgg = loadVgg19(FIXTURE).double();
    const x = video([1, 1, 1, 16, 16], 6).t;
    const x64 = x.toDType('float64');
    const y = video([1, 1, 1, 16, 16], 7).t;
    const y64 = y.toDType('float64').requiresGrad_(true);
    const r = gradcheck(() => vgg.perceptualLoss(x64, y64), new Map([['y', y64]]), { atol: 1e-7, rtol: 1e-4 });
    assert.equal(r.checked, 256);
    assert.ok(vgg.parameters().every((p) => p.grad === null && p.dtype === 'float64'));
    y64.setGrad(null);
    for (const t of [x, x64, y, y64]) t.dispose();
    vgg.dispose();
  }));

test('loadVgg19 errors name the folder, the key and the shape, and say what to download', () =>
  assertNoLeak(() => {
    const dir = mkdtempSync(join(tmpdir(), 'vgg19-'));
    try {
      const hint = /vgg19-dcbb9e9d\.pth/;
      assert.throws(() => loadVgg19(join(dir, 'nope')), (e: Error) => /folder '.*nope' does not exist/.test(e.message) && hint.test(e.message));
      assert.throws(() => loadVgg19(dir), (e: Error) => /no vgg19\.safetensors or model\.safetensors in '/.test(e.message) && hint.test(e.message));
      const sd = readSafetensors(join(FIXTURE, 'vgg19.safetensors')).tensors;
      const save = (edit: (m: Map<string, RawTensor>) => void): string => {
        const m = new Map(sd);
        edit(m);
        const p = join(dir, 'model.safetensors');
        writeSafetensors(p, m);
        return p;
      };
      const zeros = (shape: number[]): RawTensor => ({ dtype: 'F32', shape, data: new Uint8Array(4 * shape.reduce((a, b) => a * b, 1)) });
      save((m) => m.delete('features.23.weight'));
      assert.throws(() => loadVgg19(dir), (e: Error) => /model\.safetensors' has no 'features\.23\.weight' \(needed for block4_conv3, block5_conv4\)/.test(e.message) && hint.test(e.message));
      // A shallower tap does not need the missing layer.
      loadVgg19(dir, { taps: ['block4_conv2'] }).dispose();
      save((m) => m.set('features.5.weight', zeros([3, 3, 3, 3])));
      assert.throws(() => loadVgg19(dir), (e: Error) => /'features\.5\.weight' has shape \[3, 3, 3, 3\], expected \[C_out, 2, 3, 3\]/.test(e.message) && hint.test(e.message));
      save((m) => m.set('features.0.bias', zeros([3])));
      assert.throws(() => loadVgg19(dir), /'features\.0\.bias' has shape \[3\], expected \[2\]/);
      assert.throws(() => loadVgg19(FIXTURE, { taps: ['fc7'] }), /unknown feature layer 'fc7'/);
      const vgg = loadVgg19(FIXTURE);
      assert.throws(() => T.tidy(() => vgg.forward(T.zeros([1, 1, 1, 8, 8]))), /frames of 8×8 are too small for block4_conv3, block5_conv4 \(4 max-pools need H, W ≥ 16\)/);
      assert.throws(() => T.tidy(() => vgg.forward(T.zeros([1, 2, 1, 16, 16]))), /expected videos \(B, C, T, H, W\) with C = 1 or 3, got \[1, 2, 1, 16, 16\]/);
      vgg.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));

test('loadVgg19 leaves the global random state as it was', () =>
  assertNoLeak(() => {
    T.manualSeed(3);
    const a = T.randn([4]);
    T.manualSeed(3);
    loadVgg19(FIXTURE).dispose();
    const b = T.randn([4]);
    assert.deepEqual(b.toArray(), a.toArray());
    a.dispose();
    b.dispose();
  }));
