/**
 * The latent oracles (methods.ts, kind 'oracle'): videos decoded from codes no generator made, so
 * that a reader can tell what a score owes to the autoencoder and what to the text-to-latent part
 * (issue 7: "without them nobody can tell whether a number comes from the alignment or from the
 * autoencoder"). Nothing is trained; each is scored by the same metric suite as every method.
 *
 *   recon          G(E(v)) for the reference's real videos v (reference.ts: the same videos, the
 *                  same prompt and sample numbers): the ceiling of any method decoding through G.
 *   bucket-median  for each test caption c, G(median_{v ∈ train, caption(v) = c} E(v)), the median
 *                  taken per coordinate. It is the minimiser over z of Σ_v |z − E(v)|₁, i.e. of
 *                  eq. 2's latent term |G_s(z2) − z_v|₁ summed over a bucket, so it is the output
 *                  of a deterministic text-to-code generator that matches its bucket perfectly in
 *                  that term; every one of the k samples of a caption is the same video.
 *
 * Codes are the posterior means (`encode`); E and G are the study's shared autoencoder of the
 * method's architecture.
 */
import * as T from '../../tensor/index.js';
import { DatasetReader } from '../../data/format.js';
import { DataLoader } from '../../data/loader.js';
import { loadAutoencoder } from '../../models/ae/index.js';
import type { VideoAutoencoder } from '../../models/ae/types.js';
import { videosFromTensor } from '../../media/tensor-video.js';
import type { VideoU8 } from '../../media/video.js';
import { videosToTensor } from '../../metrics/quality/common.js';
import type { OracleKind } from '../methods.js';
import type { StepOf } from '../plan.js';
import type { RunContext } from '../run.js';
import { referenceVideos, type PickedVideos } from './reference.js';
import { gridPrompts, promptMajor, testPrompts, writeSamples } from './samples.js';

/**
 * Column-wise median of `n` rows of `d` values (row-major): for an even `n` the midpoint of the two
 * middle values (every point between them minimises the L1 sum; the midpoint is the convention).
 * @example columnMedian(Float32Array.of(1, 10, 3, 30, 2, 20, 4, 40), 4, 2) // [2.5, 25]
 */
export function columnMedian(rows: Float32Array, n: number, d: number): Float32Array {
  if (!(n >= 1) || rows.length !== n * d) throw new RangeError(`columnMedian: ${rows.length} values are not ${n} rows of ${d}`);
  const out = new Float32Array(d);
  const col = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) col[i] = rows[i * d + j]!;
    col.sort();
    out[j] = n % 2 === 1 ? col[(n - 1) / 2]! : (col[n / 2 - 1]! + col[n / 2]!) / 2;
  }
  return out;
}

/** G(E(v)) for each picked real video, in batches of `batch`; the same prompt/sample layout. */
export function reconstructVideos(ae: VideoAutoencoder, picked: PickedVideos, batch: number): VideoU8[] {
  const out: VideoU8[] = [];
  for (let i = 0; i < picked.videos.length; i += batch) {
    const part = picked.videos.slice(i, i + batch).map((video, j) => ({ id: String(i + j), prompt: '', video }));
    const channels = part[0]!.video.channels;
    out.push(...T.noGrad(() => T.tidy(() => videosFromTensor(ae.decode(ae.encode(videosToTensor(part, channels).toDType('float32'))))))); // (b, C, T, H, W) → b videos
  }
  return out;
}

/** Per prompt, the coordinate-wise median of the training split's codes of that caption: (P, ...latent). Throws naming a prompt without training videos. */
export async function bucketMedianCodes(ae: VideoAutoencoder, reader: DatasetReader, prompts: readonly string[], batch: number): Promise<T.Tensor> {
  const rows = new Map<string, Float32Array[]>(prompts.map((p) => [p, []]));
  const loader = new DataLoader(reader, { split: 'train', batchSize: batch, shuffle: false });
  let latent: number[] = [];
  for await (const b of loader.epoch(0)) {
    try {
      const z = T.noGrad(() => ae.encode(b.videos)); // (b, ...latent)
      try {
        latent = z.shape.slice(1);
        const d = latent.reduce((a, x) => a * x, 1);
        const flat = T.tidy(() => z.toDType('float32').contiguous().toTypedArray() as Float32Array);
        b.captions.forEach((c, i) => rows.get(c)?.push(flat.slice(i * d, (i + 1) * d)));
      } finally {
        z.dispose();
      }
    } finally {
      b.videos.dispose();
    }
  }
  const d = latent.reduce((a, x) => a * x, 1);
  const medians = new Float32Array(prompts.length * d);
  prompts.forEach((p, i) => {
    const list = rows.get(p)!;
    if (list.length === 0) throw new Error(`the bucket-median oracle needs training videos of every test caption; '${p}' has none in the train split of '${reader.manifest.name}'`);
    const all = new Float32Array(list.length * d);
    list.forEach((r, k) => all.set(r, k * d));
    medians.set(columnMedian(all, list.length, d), i * d);
  });
  return T.tensor(medians, { shape: [prompts.length, ...latent] });
}

/** The oracle's videos for `prompts` (k per prompt) and their (prompt, sample) layout. */
export async function oracleVideos(kind: OracleKind, ae: VideoAutoencoder, reader: DatasetReader, prompts: readonly string[], k: number, batch: number): Promise<{ videos: VideoU8[]; which: { promptIndex: number; sample: number; source?: string }[] }> {
  if (kind === 'recon') {
    const picked = referenceVideos(reader, prompts, k);
    return { videos: reconstructVideos(ae, picked, batch), which: picked.which };
  }
  const codes = await bucketMedianCodes(ae, reader, prompts, batch); // (P, ...latent)
  try {
    const once: VideoU8[] = [];
    for (let i = 0; i < prompts.length; i += batch) {
      once.push(...T.noGrad(() => T.tidy(() => videosFromTensor(ae.decode(codes.narrow(0, i, Math.min(batch, prompts.length - i))))))); // (b, C, T, H, W)
    }
    const which = promptMajor(prompts.length, k);
    return { videos: which.map((w) => once[w.promptIndex]!), which };
  } finally {
    codes.dispose();
  }
}

export async function sampleOracleStep(step: StepOf<'samples'>, ctx: RunContext): Promise<Record<string, unknown>> {
  const kind = step.method.oracle;
  if (!kind || !step.ae) throw new Error(`study method '${step.method.id}' is an oracle without an oracle kind or an autoencoder (methods.ts)`);
  const reader = DatasetReader.open(ctx.abs(ctx.plan.dataDir));
  const ae = await loadAutoencoder(ctx.abs(step.ae));
  try {
    const prompts = testPrompts(reader.manifest);
    const s = ctx.plan.preset.samples;
    const t0 = performance.now();
    const { videos, which } = await oracleVideos(kind, ae, reader, prompts, s.perPrompt, s.batchSize);
    const seconds = (performance.now() - t0) / 1000;
    writeSamples(ctx.abs(step.dir), { method: step.method.id, seed: step.seed ?? 0, prompts, perPrompt: s.perPrompt, gridPrompts: gridPrompts(prompts, s.gridPrompts), generationSeconds: seconds }, videos, which);
    return { sampleSeconds: seconds, videos: videos.length, prompts: prompts.length, oracle: kind };
  } finally {
    ae.dispose();
    reader.close();
  }
}
