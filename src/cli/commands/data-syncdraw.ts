/**
 * `t2v data syncdraw`: build the SyncDraw-MM captioned moving-digits data set (paper Section 4.1,
 * Table A.1) as a t2vlab dataset folder.
 */
import { UsageError, parseFlags, type Command } from '../command.js';
import { DatasetError, type DatasetManifest } from '../../data/format.js';
import { PRESETS, generateSyncDraw, type Preset } from '../../data/syncdraw/generator.js';
import { MnistError } from '../../data/syncdraw/mnist.js';

const USAGE = `usage: t2v data syncdraw --out DIR [options]

Generate SyncDraw-MM: one or two digits moving "up and down" or "left and right", one caption
per video (e.g. "digit 6 is moving up and down"), uint8 clips (T, size, size, 1).

options:
  --out DIR          output dataset folder (created; an old dataset there is replaced)
  --preset NAME      single (20 captions) | double | mixed            [single]
  --train N          training videos                                   [10000]
  --val N            validation videos                                 [2000]
  --test N           test videos                                       [2000]
  --frames N         frames per clip                                   [16]
  --size N           canvas side in pixels (>= 32)                     [64]
  --seed S           random seed; same seed and options -> identical files [0]
  --mnist DIR        use MNIST digits from the idx files in DIR (train split from MNIST train,
                     val/test from MNIST t10k) instead of procedural handwriting
  --shard-size N     videos per shard file                             [1000]`;

function count(flags: Record<string, unknown>, name: string, min: number): number {
  const v = flags[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got ${String(v)}`);
  }
  return v;
}

const syncdraw: Command = {
  path: ['data', 'syncdraw'],
  summary: 'generate the SyncDraw-MM moving-digits data set',
  usage: USAGE,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, {
      out: { type: 'string', required: true },
      preset: { type: 'string', default: 'single' },
      train: { type: 'number', default: 10000 },
      val: { type: 'number', default: 2000 },
      test: { type: 'number', default: 2000 },
      frames: { type: 'number', default: 16 },
      size: { type: 'number', default: 64 },
      seed: { type: 'number', default: 0 },
      mnist: { type: 'string' },
      'shard-size': { type: 'number', default: 1000 },
    });
    if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
    const preset = flags.preset as string;
    if (!PRESETS.includes(preset as Preset)) throw new UsageError(`--preset must be one of ${PRESETS.join(', ')}, got '${preset}'`);
    const splits = { train: count(flags, 'train', 0), val: count(flags, 'val', 0), test: count(flags, 'test', 0) };
    if (splits.train + splits.val + splits.test === 0) throw new UsageError('--train, --val and --test are all 0: ask for at least one video');
    const frames = count(flags, 'frames', 2);
    const size = count(flags, 'size', 32);
    const seed = flags.seed as number;
    if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer, got ${seed}`);
    const out = flags.out as string;
    const mnist = flags.mnist as string | undefined;
    const shardSize = count(flags, 'shard-size', 1);

    const t0 = performance.now();
    const tty = process.stderr.isTTY === true;
    let manifest: DatasetManifest;
    try {
      manifest = await generateSyncDraw({
        out,
        preset: preset as Preset,
        splits,
        frames,
        size,
        seed,
        shardSize,
        ...(mnist !== undefined ? { mnistDir: mnist } : {}),
        onProgress(done, total) {
          const s = (performance.now() - t0) / 1000;
          const line = `syncdraw: ${done}/${total} videos (${Math.floor((100 * done) / total)}%, ${(done / s).toFixed(0)} videos/s)`;
          if (tty) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
          else if (done === total || done % 2000 === 0) process.stderr.write(`${line}\n`);
        },
      });
    } catch (err) {
      // Problems with the user's folders (output not empty, MNIST files bad): message only.
      if (err instanceof DatasetError || err instanceof MnistError) {
        process.stderr.write(`${tty ? '\n' : ''}t2v data syncdraw: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    const seconds = (performance.now() - t0) / 1000;
    const bytes = manifest.videos.length * manifest.frames * manifest.height * manifest.width * manifest.channels;
    const { train, val, test } = manifest.splits;
    process.stdout.write(
      `wrote ${manifest.videos.length} videos (train ${train}, val ${val}, test ${test}) of (${manifest.frames}, ${manifest.height}, ${manifest.width}, ${manifest.channels}) uint8 ` +
        `to ${out}: ${manifest.buckets.length} caption buckets, ${manifest.shards.length} shards, ${(bytes / 2 ** 20).toFixed(0)} MiB, ${seconds.toFixed(1)} s\n`,
    );
    return 0;
  },
};

export const commands: Command[] = [syncdraw];
