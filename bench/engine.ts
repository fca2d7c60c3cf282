/**
 * `npm run bench -- engine`: the engine against libtorch used directly from C++.
 * The same workloads (1024³ float32 matmul; conv3d forward + backward, batch 16, 32→32
 * channels, 16×32×32 input, kernel 3, padding 1) run through the TypeScript API and through a
 * small C++ program built here against the same libtorch, with the same thread count, in this
 * one invocation. Also measures the per-op overhead of a tiny op through the TS API.
 * Goals (issue 2): matmul_ratio and conv3d_ratio ≥ 0.95, op_overhead_us ≤ 10.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as T from '../src/tensor/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const now = (): number => performance.now() / 1000;

/** Build native/bench/engine_bench (cached until its source or the libtorch choice changes). */
function buildCppBench(): { path: string; buildSeconds: number } {
  const src = join(root, 'native/bench/engine_bench.cc');
  const outDir = join(root, 'native/bench/build');
  const out = join(outDir, 'engine_bench');
  const stamp = join(outDir, 'stamp');
  const cfgScript = join(root, 'native/torch-config.mjs');
  const include = execFileSync(process.execPath, [cfgScript, 'include'], { encoding: 'utf8' }).trim().split(/\s+/);
  const ldflags = execFileSync(process.execPath, [cfgScript, 'ldflags'], { encoding: 'utf8' }).trim().split(/\s+/);
  const key = JSON.stringify({ include, ldflags, mtime: statSync(src).mtimeMs });
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return { path: out, buildSeconds: 0 };
  mkdirSync(outDir, { recursive: true });
  const t0 = now();
  execFileSync('g++', ['-std=c++17', '-O2', ...include.map((i) => `-I${i}`), src, '-o', out, ...ldflags], { stdio: 'inherit' });
  writeFileSync(stamp, key);
  return { path: out, buildSeconds: now() - t0 };
}

function matmulGflops(iters: number): number {
  const n = 1024;
  return T.tidy(() => {
    T.manualSeed(0);
    const a = T.randn([n, n]);
    const b = T.randn([n, n]);
    for (let i = 0; i < 3; i++) a.matmul(b).dispose();
    const times: number[] = [];
    for (let i = 0; i < iters; i++) {
      const t0 = now();
      a.matmul(b).dispose();
      times.push(now() - t0);
    }
    return (2 * n ** 3) / median(times) / 1e9;
  });
}

function conv3dTrainGflops(iters: number): number {
  return T.tidy(() => {
    const x = T.randn([16, 32, 16, 32, 32]).requiresGrad_(); // (B, C, T, H, W)
    const w = T.randn([32, 32, 3, 3, 3]).mulScalar(0.05).requiresGrad_(); // (Cout, Cin, k, k, k)
    const bias = T.zeros([32]).requiresGrad_();
    const step = (): void => {
      T.tidy(() => T.conv3d(x, w, { bias, stride: 1, padding: 1 }).sum().backward());
      for (const p of [x, w, bias]) p.setGrad(null);
    };
    step();
    const times: number[] = [];
    for (let i = 0; i < iters; i++) {
      const t0 = now();
      step();
      times.push(now() - t0);
    }
    const fwd = 2 * 16 * 32 * 16 * 32 * 32 * 32 * 27;
    return (3 * fwd) / median(times) / 1e9;
  });
}

/** Microseconds per tiny op (1-element add) through the TS API, including wrapper and dispose. */
function opOverheadUs(iters: number): number {
  const x = T.ones([1]);
  for (let i = 0; i < 1000; i++) x.addScalar(1).dispose();
  const t0 = now();
  for (let i = 0; i < iters; i++) x.addScalar(1).dispose();
  const us = ((now() - t0) / iters) * 1e6;
  x.dispose();
  return us;
}

export async function run(): Promise<Record<string, unknown>> {
  const threads = T.getNumThreads();
  const cpp = buildCppBench();
  const mmIters = 20;
  const convIters = 5;
  // Interleave the two sides and keep each side's best of two rounds, so that a burst of
  // load from another process cannot favour one side.
  const runCpp = (): { matmul_gflops: number; conv3d_train_gflops: number } =>
    JSON.parse(execFileSync(cpp.path, [String(threads), String(mmIters), String(convIters)], { encoding: 'utf8' })) as {
      matmul_gflops: number;
      conv3d_train_gflops: number;
    };
  const cppOut = { matmul_gflops: 0, conv3d_train_gflops: 0 };
  let matmulTs = 0;
  let convTs = 0;
  for (let round = 0; round < 2; round++) {
    const c = runCpp();
    cppOut.matmul_gflops = Math.max(cppOut.matmul_gflops, c.matmul_gflops);
    cppOut.conv3d_train_gflops = Math.max(cppOut.conv3d_train_gflops, c.conv3d_train_gflops);
    matmulTs = Math.max(matmulTs, matmulGflops(mmIters));
    convTs = Math.max(convTs, conv3dTrainGflops(convIters));
  }
  const overhead = opOverheadUs(100_000);
  const r3 = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    matmul_gflops_ts: r3(matmulTs),
    matmul_gflops_cpp: r3(cppOut.matmul_gflops),
    conv3d_train_gflops_ts: r3(convTs),
    conv3d_train_gflops_cpp: r3(cppOut.conv3d_train_gflops),
    op_overhead_us: r3(overhead),
    matmul_ratio: r3(matmulTs / cppOut.matmul_gflops),
    conv3d_ratio: r3(convTs / cppOut.conv3d_train_gflops),
    threads,
    cpp_build_s: r3(cpp.buildSeconds),
    torch: T.engineVersion().torch,
  };
}
