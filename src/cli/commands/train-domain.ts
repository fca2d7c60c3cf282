/**
 * `t2v train domain` and `t2v train probe`: the study's offline evaluation models (issue 4,
 * parts 5 and 6) — the domain text–video model (src/domain/train.ts) and the SyncDraw attribute
 * probe (src/domain/train-probe.ts). Each trains on a data set's real train videos, prints the
 * figures on its real test videos and writes them into the folder's config.json and metrics.json.
 */
import { UsageError, parseFlags, type Command, type ParsedFlags } from '../command.js';
import { DatasetError } from '../../data/format.js';
import { TrainInputError } from '../../domain/folder.js';

const COMMON = `options:
  --data DIR        t2vlab dataset folder (e.g. from \`t2v data syncdraw\`)        (required)
  --out DIR         model folder to write; an interrupted run in DIR resumes     (required)
  --preset NAME     micro | quick | paper                                        [quick]
  --seed S          seed of the initialisation and data order                    [0]

Threads: T2V_THREADS (default: all cores).`;

const DOMAIN_USAGE = `usage: t2v train domain --data DIR --out DIR [--preset quick] [--seed S]

Train the domain text–video model (CLIP-style dual encoder: word-level transformer text tower,
3-D conv video tower, multi-positive symmetric InfoNCE) on the data set's train captions and
videos. Prints R@1 / R@5 of the real test videos against the test split's distinct captions.
The folder (config.json, model.safetensors, vocab.json, metrics.json) is what \`--domain\` of the
evaluation takes; trained with another --seed it is the conditioning text encoder.

${COMMON}`;

const PROBE_USAGE = `usage: t2v train probe --data DIR --out DIR [--preset quick] [--seed S]

Train the SyncDraw attribute probe (3-D conv classifier of digit identity and motion per digit)
on the data set's real train videos and their manifest attributes. Prints its accuracy on the
real test videos (all attributes right), the ceiling of \`attribute_accuracy\`.

${COMMON}`;

const SPEC = {
  data: { type: 'string', required: true },
  out: { type: 'string', required: true },
  preset: { type: 'string', default: 'quick' },
  seed: { type: 'number', default: 0 },
} as const;

function parse(argv: string[], presets: readonly string[]): { data: string; out: string; preset: string; seed: number } {
  const { flags, positional } = parseFlags(argv, { ...SPEC });
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const f: ParsedFlags = flags;
  const preset = f.preset as string;
  if (!presets.includes(preset)) throw new UsageError(`--preset must be one of ${presets.join(', ')}, got '${preset}'`);
  const seed = f.seed as number;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be an integer >= 0, got ${seed}`);
  return { data: f.data as string, out: f.out as string, preset, seed };
}

/** Data-set and folder problems are the user's: message only, exit 1. */
async function userErrors(name: string, fn: () => Promise<void>): Promise<number> {
  try {
    await fn();
    return 0;
  } catch (err) {
    if (err instanceof DatasetError || err instanceof TrainInputError) {
      process.stderr.write(`t2v train ${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

const trainDomain: Command = {
  path: ['train', 'domain'],
  summary: 'train the domain text-video model (evaluation / conditioning)',
  usage: DOMAIN_USAGE,
  async run(argv) {
    const { trainDomainModel, DOMAIN_PRESETS } = await import('../../domain/train.js');
    const a = parse(argv, DOMAIN_PRESETS);
    return userErrors('domain', async () => {
      const { model, config } = await trainDomainModel({ ...a, preset: a.preset as (typeof DOMAIN_PRESETS)[number] });
      model.dispose();
      const t = config.test;
      process.stdout.write(
        `domain model '${a.out}' (${config.preset}, seed ${config.seed}): trained in ${String(config.train['seconds'])} s; ` +
          `test R@1 ${t['r1']!.toFixed(4)}, R@5 ${t['r5']!.toFixed(4)} (${t['videos']} real videos, ${t['candidates']} captions)\n`,
      );
    });
  },
};

const trainProbe: Command = {
  path: ['train', 'probe'],
  summary: 'train the SyncDraw attribute probe (attribute_accuracy)',
  usage: PROBE_USAGE,
  async run(argv) {
    const { trainAttributeProbe, PROBE_PRESETS } = await import('../../domain/train-probe.js');
    const a = parse(argv, PROBE_PRESETS);
    return userErrors('probe', async () => {
      const { probe, config } = await trainAttributeProbe({ ...a, preset: a.preset as (typeof PROBE_PRESETS)[number] });
      probe.dispose();
      const t = config.test;
      process.stdout.write(
        `attribute probe '${a.out}' (${config.preset}, seed ${config.seed}): trained in ${String(config.train['seconds'])} s; ` +
          `test accuracy ${t['accuracy']!.toFixed(4)} (digits ${t['digit']!.toFixed(4)}, motions ${t['motion']!.toFixed(4)}; ${t['videos']} real videos)\n`,
      );
    });
  },
};

export const commands: Command[] = [trainDomain, trainProbe];
