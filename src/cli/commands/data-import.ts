/**
 * `t2v data import`: turn a folder of real videos (KTH, TACoS, MSR-VTT, or any captioned folder)
 * into a t2vlab dataset folder of uint8 clips (T, size, size, C).
 */
import { UsageError, oneOf, parseFlags, type Command } from '../command.js';
import { DatasetError } from '../../data/format.js';
import { ImportInputError, importDataset, IMPORTERS, type ImportSummary } from '../../data/importers/index.js';
import { formatDuration } from '../../data/importers/progress.js';

const USAGE = `usage: t2v data import --format kth|tacos|msrvtt|folder --src DIR --out DIR [options]

Decode videos with ffmpeg, keep every --stride-th frame, resize the shorter side and crop the
centre to --size, and cut clips of --frames frames. Decoded clips are cached in
OUT/.import-cache, so an interrupted import resumes where it stopped (delete that folder after
a successful import to reclaim the space); files that fail to decode are named, counted and
skipped.

formats:
  kth      SRC/**/personNN_<action>_dN_uncomp.avi; walking/jogging/running; captions
           "person N is walking left to right"; person-based splits. Direction from
           --annotations (CSV file,start_frame,end_frame,direction) or estimated from motion.
  tacos    SRC videos + --annotations CSV/TSV: video,start_frame,end_frame,description
           (or start_sec,end_sec; optional split); one clip per interval.
  msrvtt   SRC/<video_id>.mp4 + --annotations MSR-VTT JSON (comma-separate several files);
           one clip per video.
  folder   SRC videos (.mp4/.avi/.webm/.gif/.npy ...) + --captions CSV file,caption[,split]
           or JSON {file: caption}; one clip per file.

options:
  --format NAME        kth | tacos | msrvtt | folder                       (required)
  --src DIR            folder of source videos                             (required)
  --out DIR            output dataset folder (an old dataset there is replaced)   (required)
  --frames N           frames per clip                                     [16]
  --size N             clip height and width                               [64]
  --stride N           keep every N-th source frame                        [2]
  --hop N              decoded frames between clip starts (kth)            [= --frames]
  --channels 1|3       gray or RGB                                         [1 for kth, else 3]
  --jobs N             parallel ffmpeg decodes                             [2]
  --captions FILE      captions (folder)
  --annotations FILE   annotations (kth, tacos, msrvtt)
  --split-seed S       seed of the hashed split for sources without one    [0]
  --clip-at WHERE      start | center: where single clips are cut          [folder: start, else center]
  --captions-per-video first | all   (msrvtt) one entry with the first caption, or one per caption [first]
  --filter NAME        area | bilinear scaler                              [area]
  --name NAME          data set name in the manifest                       [the format]
  --quiet              no progress bar`;

function positiveInt(flags: Record<string, unknown>, name: string): number {
  const v = flags[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UsageError(`--${name} must be a positive integer, got ${String(v)}`);
  return v;
}

/** The summary printed after an import. */
export function formatSummary(s: ImportSummary): string {
  const lines = [
    `wrote ${s.clips} clips to ${s.out} (train ${s.splits.train}, val ${s.splits.val}, test ${s.splits.test}; ${s.buckets} buckets) in ${formatDuration(s.seconds)}`,
    `sources: ${s.sources} (decoded ${s.decoded}, from cache ${s.cached}, failed ${s.failed.length})`,
    ...s.notes,
  ];
  for (const [reason, n] of Object.entries(s.dropped)) lines.push(`dropped ${n} clips: ${reason}`);
  if (s.missing.length) lines.push(`${s.missing.length} annotated files are missing from the source folder (first: ${s.missing.slice(0, 3).join(', ')})`);
  for (const f of s.failed) lines.push(`failed: ${f.file}: ${f.error}`);
  return lines.join('\n');
}

const dataImport: Command = {
  path: ['data', 'import'],
  summary: 'import KTH / TACoS / MSR-VTT / a captioned video folder as a dataset',
  usage: USAGE,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, {
      format: { type: 'string', required: true },
      src: { type: 'string', required: true },
      out: { type: 'string', required: true },
      frames: { type: 'number', default: 16 },
      size: { type: 'number', default: 64 },
      stride: { type: 'number', default: 2 },
      hop: { type: 'number' },
      channels: { type: 'number' },
      jobs: { type: 'number', default: 2 },
      captions: { type: 'string' },
      annotations: { type: 'string' },
      'split-seed': { type: 'number', default: 0 },
      'clip-at': { type: 'string' },
      'captions-per-video': { type: 'string' },
      filter: { type: 'string', default: 'area' },
      name: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    });
    if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
    const format = oneOf(flags, 'format', Object.keys(IMPORTERS) as (keyof typeof IMPORTERS)[])!;
    const frames = positiveInt(flags, 'frames');
    const channels = flags.channels === undefined ? (format === 'kth' ? 1 : 3) : flags.channels;
    if (channels !== 1 && channels !== 3) throw new UsageError(`--channels must be 1 or 3, got ${String(channels)}`);
    const clipAt = oneOf(flags, 'clip-at', ['start', 'center'] as const);
    const perVideo = oneOf(flags, 'captions-per-video', ['first', 'all'] as const);
    const params = {
      frames, size: positiveInt(flags, 'size'), stride: positiveInt(flags, 'stride'),
      hop: flags.hop === undefined ? frames : positiveInt(flags, 'hop'), channels: channels as 1 | 3,
      filter: oneOf(flags, 'filter', ['area', 'bilinear'] as const)!,
    };
    const str = (k: string) => (typeof flags[k] === 'string' ? { [k]: flags[k] as string } : {});
    try {
      const summary = await importDataset(format, {
        src: flags.src as string, out: flags.out as string, params, jobs: positiveInt(flags, 'jobs'),
        splitSeed: flags['split-seed'] as number, ...str('captions'), ...str('annotations'), ...str('name'),
        ...(clipAt ? { clipAt } : {}), ...(perVideo ? { captionsPerVideo: perVideo } : {}),
        ...(flags.quiet ? {} : { progress: process.stderr }),
      });
      process.stdout.write(`${formatSummary(summary)}\n`);
      if (summary.clips === 0) {
        process.stderr.write('t2v data import: no clips were written; see the warnings above\n');
        return 1;
      }
      return 0;
    } catch (err) {
      if (err instanceof ImportInputError || err instanceof DatasetError) {
        process.stderr.write(`t2v data import: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
  },
};

/** `t2v data import`, for the registry. */
export const commands: Command[] = [dataImport];
