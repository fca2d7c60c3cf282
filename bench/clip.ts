/**
 * `npm run bench -- clip`: speed of the CLIP image tower against the machine's matmul.
 *
 * Workload: the ViT-B/32 image tower + `visual_projection` of openai/clip-vit-base-patch32
 * (width 768, 12 layers, 12 heads, patch 32, 224×224, projection 512) with random weights, a
 * batch of 32 frames, inference (no autograd), the engine's default thread count.
 * Figures:
 *   clip_b32_frames_per_s     frames through the tower per second (median of timed batches)
 *   clip_b32_gflop_per_frame  analytic FLOPs (2 × multiply–accumulates) per frame: patch conv,
 *                             q/k/v/out projections, QKᵀ and AV, MLP, projection
 *   matmul_gflops             1024×1024 float32 matmul, measured in the same run
 *   clip_efficiency           tower GFLOP/s ÷ matmul GFLOP/s, the median of per-round ratios, each
 *                             round timing 10 matmuls and then one tower batch (goal ≥ 0.6)
 *   clip_efficiency_cpu       the same in process CPU seconds (diagnostic on a busy machine)
 * Env: T2V_BENCH_CLIP_BATCH (default 32) and T2V_BENCH_CLIP_ITERS (default 5) for quick checks.
 */
import * as T from '../src/tensor/index.js';
import { clipVisionFlops, parseClipConfig } from '../src/clip/config.js';
import { ClipVisionTransformer } from '../src/clip/vision.js';
import { Linear } from '../src/nn/index.js';

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const now = (): number => performance.now() / 1000;

/** openai/clip-vit-base-patch32's shape (HF's defaults are that model). */
export const B32 = parseClipConfig({ projection_dim: 512, text_config: {}, vision_config: { patch_size: 32 } });

interface Timing {
  wall: number;
  cpu: number;
}

/** Wall and process CPU seconds of `fn` (CPU time sums the threads; idle passive threads add nothing). */
function timed(fn: () => void): Timing {
  const c0 = process.cpuUsage();
  const t0 = now();
  fn();
  const wall = now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${v}'`);
  return n;
}

/**
 * Rounds of (10 matmuls of 1024³, one forward of `batch` frames through the image tower), after a
 * warm-up of each. Interleaving keeps both measurements under the same machine load.
 */
function measure(batch: number, iters: number): { matmul: Timing[]; tower: Timing[] } {
  T.manualSeed(0);
  const tower = new ClipVisionTransformer(B32.vision);
  const proj = new Linear(B32.vision.hiddenSize, B32.projectionDim, { bias: false });
  const S = B32.vision.imageSize;
  const n = 1024;
  try {
    return T.noGrad(() =>
      T.tidy(() => {
        const a = T.randn([n, n]); // (1024, 1024)
        const b = T.randn([n, n]); // (1024, 1024)
        const pixels = T.randn([batch, 3, S, S]); // (B, 3, 224, 224)
        const mm = (): void => {
          for (let i = 0; i < 10; i++) a.matmul(b).dispose();
        };
        const step = (): void => T.tidy(() => void proj.forward(tower.pooled(pixels))); // (B, 512)
        mm();
        step();
        const out = { matmul: [] as Timing[], tower: [] as Timing[] };
        for (let i = 0; i < iters; i++) {
          out.matmul.push(timed(mm));
          out.tower.push(timed(step));
        }
        return out;
      }),
    );
  } finally {
    tower.dispose();
    proj.dispose();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const batch = envInt('T2V_BENCH_CLIP_BATCH', 32);
  const iters = envInt('T2V_BENCH_CLIP_ITERS', 5);
  const { matmul, tower } = measure(batch, iters);
  const mmFlop = 10 * 2 * 1024 ** 3;
  const towerFlop = batch * clipVisionFlops(B32);
  const matmulGflops = mmFlop / median(matmul.map((t) => t.wall)) / 1e9;
  const towerGflops = towerFlop / median(tower.map((t) => t.wall)) / 1e9;
  // Per-round ratios (same load in both halves of a round), wall and CPU time.
  const eff = median(matmul.map((m, i) => (towerFlop / tower[i]!.wall) / (mmFlop / m.wall)));
  const effCpu = median(matmul.map((m, i) => (towerFlop / tower[i]!.cpu) / (mmFlop / m.cpu)));
  const r3 = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    clip_b32_frames_per_s: r3(batch / median(tower.map((t) => t.wall))),
    clip_b32_gflop_per_frame: r3(clipVisionFlops(B32) / 1e9),
    clip_b32_gflops: r3(towerGflops),
    matmul_gflops: r3(matmulGflops),
    clip_efficiency: r3(eff),
    // Diagnostic: the same ratio in CPU seconds; insensitive to other processes, blind to idle cores.
    clip_efficiency_cpu: r3(effCpu),
    batch,
    iters,
    threads: T.getNumThreads(),
    torch: T.engineVersion().torch,
  };
}
