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
 *                  that term; every one of the k samples of a caption is the same video. A test
 *                  caption without training videos has no bucket to match: it gets no samples
 *                  (named in the step's record), as the reference has fewer videos of a caption
 *                  that the validation and test splits hold fewer times.
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
import { gridPrompts, testPrompts, writeSamples } from './samples.js';

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

export interface BucketMedians {
  /** (P', ...latent): one code per prompt that has training videos, in prompt order. */
  codes: T.Tensor;
  /** Index into the prompts of each row of `codes`. */
  promptIndices: number[];
  /** Prompts without training videos (no code). */
  missing: string[];
}

/** Per prompt, the coordinate-wise median of the training split's codes of that caption. Throws when no prompt has training videos. */
export async function bucketMedianCodes(ae: VideoAutoencoder, reader: DatasetReader, prompts: readonly string[], batch: number): Promise<BucketMedians> {
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
  const promptIndices = prompts.map((_, i) => i).filter((i) => rows.get(prompts[i]!)!.length > 0);
  const missing = prompts.filter((p) => rows.get(p)!.length === 0);
  if (promptIndices.length === 0) throw new Error(`the bucket-median oracle needs training videos of the test captions; none of the ${prompts.length} has any in the train split of '${reader.manifest.name}'`);
  const d = latent.reduce((a, x) => a * x, 1);
  const medians = new Float32Array(promptIndices.length * d);
  promptIndices.forEach((pi, row) => {
    const list = rows.get(prompts[pi]!)!;
    const all = new Float32Array(list.length * d);
    list.forEach((r, k) => all.set(r, k * d));
    medians.set(columnMedian(all, list.length, d), row * d);
  });
  return { codes: T.tensor(medians, { shape: [promptIndices.length, ...latent] }), promptIndices, missing };
}

export interface OracleVideos {
  videos: VideoU8[];
  /** Per video: its prompt and sample number (and split, for reconstructions of real videos). */
  which: { promptIndex: number; sample: number; source?: string }[];
  /** Prompts left without videos (bucket-median: no training videos of that caption). */
  missing: string[];
}

/** The oracle's videos for `prompts` (k per prompt) and their (prompt, sample) layout. */
export async function oracleVideos(kind: OracleKind, ae: VideoAutoencoder, reader: DatasetReader, prompts: readonly string[], k: number, batch: number): Promise<OracleVideos> {
  if (kind === 'recon') {
    const picked = referenceVideos(reader, prompts, k);
    const have = new Set(picked.which.map((w) => w.promptIndex));
    return { videos: reconstructVideos(ae, picked, batch), which: picked.which, missing: prompts.filter((_, i) => !have.has(i)) };
  }
  const { codes, promptIndices, missing } = await bucketMedianCodes(ae, reader, prompts, batch); // codes (P', ...latent)
  try {
    const once: VideoU8[] = [];
    const n = promptIndices.length;
    for (let i = 0; i < n; i += batch) {
      once.push(...T.noGrad(() => T.tidy(() => videosFromTensor(ae.decode(codes.narrow(0, i, Math.min(batch, n - i))))))); // (b, C, T, H, W)
    }
    const which = promptIndices.flatMap((promptIndex) => Array.from({ length: k }, (_, sample) => ({ promptIndex, sample })));
    return { videos: once.flatMap((v) => Array<VideoU8>(k).fill(v)), which, missing }; // k copies of each decoded video, in `which` order
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
    const { videos, which, missing } = await oracleVideos(kind, ae, reader, prompts, s.perPrompt, s.batchSize);
    const seconds = (performance.now() - t0) / 1000;
    if (missing.length > 0) ctx.log(`  ${missing.length} of ${prompts.length} test captions have no ${kind === 'recon' ? 'real videos to reconstruct' : 'training videos, so no bucket median'}: no samples for them (${missing.slice(0, 3).map((m) => `'${m}'`).join(', ')}${missing.length > 3 ? ', …' : ''})`);
    writeSamples(ctx.abs(step.dir), { method: step.method.id, seed: step.seed ?? 0, prompts, perPrompt: s.perPrompt, gridPrompts: gridPrompts(prompts, s.gridPrompts), generationSeconds: seconds }, videos, which);
    return { sampleSeconds: seconds, videos: videos.length, prompts: prompts.length, oracle: kind, missing };
  } finally {
    ae.dispose();
    reader.close();
  }
}
