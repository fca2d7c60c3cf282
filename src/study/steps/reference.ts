/**
 * The `reference` pseudo-method: real videos laid out as a method's samples, so that the metric
 * suite run on them gives the ceiling beside every generated score, and the report's sample grid
 * shows real videos. For each test caption, the first k videos with that caption from the
 * validation split (held out from the reference set, which is the test split, so that B-PSNR,
 * B-SSIM and FVD compare different real videos rather than a video with itself), topped up from
 * the test split when the validation split has fewer (each file records its split).
 * The reconstruction oracle (oracle.ts) encodes and decodes these same videos.
 */
import { DatasetReader, type Split } from '../../data/format.js';
import type { VideoU8 } from '../../media/video.js';
import type { StepOf } from '../plan.js';
import type { RunContext } from '../run.js';
import { gridPrompts, testPrompts, writeSamples } from './samples.js';

export interface PickedVideos {
  videos: VideoU8[];
  /** Per video: its prompt, sample number and split ('val' | 'test'). */
  which: { promptIndex: number; sample: number; source: Split }[];
}

/** The reference's real videos: up to k per prompt, validation split first, then test (prompt-major). */
export function referenceVideos(reader: DatasetReader, prompts: readonly string[], k: number): PickedVideos {
  const m = reader.manifest;
  const picked = new Map(prompts.map((p) => [p, [] as { video: VideoU8; split: Split }[]]));
  for (const split of ['val', 'test'] as const) {
    for (const e of reader.videos(split)) {
      const list = picked.get(e.caption);
      if (list && list.length < k) list.push({ split, video: { frames: m.frames, height: m.height, width: m.width, channels: m.channels as 1 | 3, data: reader.read(e) } }); // (T, H, W, C)
    }
  }
  const out: PickedVideos = { videos: [], which: [] };
  prompts.forEach((p, i) => picked.get(p)!.forEach((x, s) => {
    out.videos.push(x.video);
    out.which.push({ promptIndex: i, sample: s, source: x.split });
  }));
  return out;
}

export async function sampleReferenceStep(step: StepOf<'samples'>, ctx: RunContext): Promise<Record<string, unknown>> {
  const reader = DatasetReader.open(ctx.abs(ctx.plan.dataDir));
  try {
    const prompts = testPrompts(reader.manifest);
    const k = ctx.plan.preset.samples.perPrompt;
    const { videos, which } = referenceVideos(reader, prompts, k);
    const s = ctx.plan.preset.samples;
    writeSamples(ctx.abs(step.dir), { method: step.method.id, seed: step.seed ?? 0, prompts, perPrompt: k, gridPrompts: gridPrompts(prompts, s.gridPrompts), generationSeconds: 0 }, videos, which);
    const fromTest = which.filter((w) => w.source === 'test').length;
    if (fromTest > 0) ctx.log(`  ${fromTest} of ${which.length} real videos come from the test split (the validation split has too few of their captions): their B-PSNR/B-SSIM compare a video with itself`);
    return { sampleSeconds: 0, videos: videos.length, prompts: prompts.length, fromVal: which.length - fromTest, fromTest };
  } finally {
    reader.close();
  }
}
