/**
 * `npm run bench -- quality`: throughput of the costly quality metrics, to plan evaluation runs.
 *   ssim_pairs_per_s   pairwise SSIM (b_ssim / intra_bucket_diversity) on 16×64×64 gray videos
 *   psnr_pairs_per_s   pairwise PSNR (b_psnr) on the same videos
 *   i3d_clips_per_s    InceptionI3d (random weights) on (1, 3, 16, 224, 224) clips
 * B-SSIM on the 'single' test split costs about (generated videos × 100) / ssim_pairs_per_s seconds.
 */
import * as T from '../src/tensor/index.js';
import { psnrMatrix, ssimMatrix } from '../src/metrics/stats/ssim.js';
import { InceptionI3d } from '../src/models/i3d.js';

const now = (): number => performance.now() / 1000;

function pairsPerSecond(fn: (a: T.Tensor, b: T.Tensor) => Float64Array, n: number, m: number): number {
  const [a, b] = [T.rand([n, 1, 16, 64, 64], { dtype: 'float64' }), T.rand([m, 1, 16, 64, 64], { dtype: 'float64' })];
  try {
    const t0 = now();
    fn(a, b);
    return (n * m) / (now() - t0);
  } finally {
    a.dispose();
    b.dispose();
  }
}

function i3dClipsPerSecond(clips: number): number {
  const net = new InceptionI3d().eval();
  try {
    const t0 = now();
    for (let i = 0; i < clips; i++) T.tidy(() => T.noGrad(() => net.forward(T.randn([1, 3, 16, 224, 224]))));
    return clips / (now() - t0);
  } finally {
    net.dispose();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  T.manualSeed(0);
  return {
    threads: T.getNumThreads(),
    ssim_pairs_per_s: pairsPerSecond(ssimMatrix, 4, 64),
    psnr_pairs_per_s: pairsPerSecond(psnrMatrix, 32, 128),
    i3d_clips_per_s: i3dClipsPerSecond(2),
  };
}
