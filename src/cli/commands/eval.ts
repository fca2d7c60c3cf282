/**
 * `t2v eval`: score a folder of generated videos (or a dataset split, the real-video ceiling)
 * with registered metrics, print a table and write the JSON report (src/metrics/evaluate.ts).
 * `t2v eval --list`: every metric with what it needs.
 */
import { UsageError, parseFlags, type Command, type ParsedFlags } from '../command.js';
import { DatasetError, SPLITS, type Split } from '../../data/format.js';
import { availableMetrics, buildContext, checkNeeds, NEED_FLAGS, NEEDS, type ModelFlags, type ModelLoaders } from '../../metrics/context.js';
import { evaluate, formatTable, writeReport, type EvalReport } from '../../metrics/evaluate.js';
import { getMetric, listMetrics } from '../../metrics/registry.js';
import { MetricInputError, type MetricDef } from '../../metrics/types.js';
import { loadVideoSet } from '../../metrics/video-set.js';

const USAGE = `usage: t2v eval --videos DIR --metrics a,b,c|all-available --out results.json [options]
       t2v eval --list

Score videos with the named metrics; prints a table and writes a JSON report.
  --videos DIR          folder of .mp4/.gif/.webm/.avi/.npy files (file-name order), or a t2vlab
                        dataset folder (its --split and captions: the real-video ceiling)
  --prompts FILE        captions of a folder: .json {"file name": "caption"} or one caption per
                        line in file-name order (not used with a dataset folder)
  --split S             split of a dataset folder given as --videos    [test]
  --metrics LIST        comma-separated names, or all-available (every metric whose models were given)
  --out FILE            the JSON report (written atomically)
  --reference DIR       dataset folder of real videos (FVD, bucket metrics)
  --reference-split S   its split                                      [test]
  --clip DIR  --domain DIR  --probe DIR  --i3d DIR  --dino DIR   model folders
  --fps F               frames per second of the videos                [8]
  --list                list the metrics, what each needs and the reference it follows`;

/** Model flags from parsed command-line flags. */
function modelFlags(flags: ParsedFlags): ModelFlags {
  const out: ModelFlags = {};
  for (const n of NEEDS) if (typeof flags[n] === 'string') out[n] = flags[n] as string;
  if (typeof flags['reference-split'] === 'string') out.referenceSplit = splitFlag(flags['reference-split'], 'reference-split');
  return out;
}

function splitFlag(v: unknown, name: string): Split {
  if (!SPLITS.includes(v as Split)) throw new UsageError(`--${name} must be one of ${SPLITS.join(', ')}, got '${String(v)}'`);
  return v as Split;
}

/** The metrics a `--metrics` value names; `all-available` = those whose needs the flags provide. */
export function resolveMetrics(spec: string, flags: ModelFlags): MetricDef[] {
  if (spec.trim() === 'all-available') {
    const found = availableMetrics(listMetrics(), flags);
    if (found.length === 0) {
      throw new UsageError(`no metric can run with the models given; pass some of ${NEEDS.map((n) => NEED_FLAGS[n]).join(', ')} (see t2v eval --list)`);
    }
    return found;
  }
  const names = [...new Set(spec.split(',').map((s) => s.trim()).filter((s) => s))];
  if (names.length === 0) throw new UsageError('--metrics is empty; name metrics (see t2v eval --list) or pass all-available');
  return names.map((n) => {
    try {
      return getMetric(n);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  });
}

/** The text `t2v eval --list` prints. */
export function metricList(): string {
  const ms = listMetrics();
  if (ms.length === 0) return 'no metrics are registered\n';
  const need = (m: MetricDef): string => [m.needs.join('+') || '-', ...(m.wants?.length ? [`(wants ${m.wants.join(', ')})`] : [])].join(' ');
  const w0 = Math.max(...ms.map((m) => m.name.length), 6);
  const w1 = Math.max(...ms.map((m) => need(m).length), 5);
  const rows = [`${'metric'.padEnd(w0)}  ${'needs'.padEnd(w1)}     summary`];
  for (const m of ms) {
    rows.push(`${m.name.padEnd(w0)}  ${need(m).padEnd(w1)}  ${m.higherIsBetter ? '↑' : '↓'}  ${m.summary}${m.secondary ? ' (secondary)' : ''}`);
    rows.push(`${''.padEnd(w0 + w1 + 7)}ref: ${m.reference}`);
  }
  return `${rows.join('\n')}\n\nneeds come from: ${NEEDS.map((n) => `${n} ${NEED_FLAGS[n]}`).join(', ')}\n`;
}

/** Everything `t2v eval` is given, after parsing. */
export interface EvalRun {
  videos: string;
  prompts?: string;
  split: Split;
  metrics: string;
  out: string;
  fps: number;
  models: ModelFlags;
}

/**
 * Check the metrics and their needs, load the videos and models, compute, write the report.
 * `loaders` replaces the model loaders (tests); `log` gets progress lines.
 */
export async function runEval(r: EvalRun, opts: { loaders?: ModelLoaders; log?: (m: string) => void } = {}): Promise<EvalReport> {
  const metrics = resolveMetrics(r.metrics, r.models);
  try {
    checkNeeds(metrics, r.models);
  } catch (err) {
    if (err instanceof MetricInputError) throw new UsageError(err.message);
    throw err;
  }
  const set = await loadVideoSet({ videos: r.videos, ...(r.prompts !== undefined ? { prompts: r.prompts } : {}), split: r.split, ...(opts.log ? { log: opts.log } : {}) });
  const ctx = await buildContext(metrics, set.videos, r.models, { fps: r.fps, ...opts });
  const report = await evaluate(ctx, metrics.map((m) => m.name), {
    skipped: set.skipped, source: set.name,
    settings: { videos: r.videos, prompts: r.prompts ?? null, split: set.kind === 'dataset' ? r.split : null, models: r.models },
  });
  writeReport(r.out, report);
  return report;
}

function parseRun(flags: ParsedFlags): EvalRun {
  for (const f of ['videos', 'metrics', 'out']) if (flags[f] === undefined) throw new UsageError(`option --${f} is required (or pass --list)`);
  const fps = flags.fps as number;
  if (!(fps > 0)) throw new UsageError(`--fps must be positive, got ${fps}`);
  return {
    videos: flags.videos as string, ...(flags.prompts !== undefined ? { prompts: flags.prompts as string } : {}),
    split: splitFlag(flags.split, 'split'), metrics: flags.metrics as string, out: flags.out as string, fps, models: modelFlags(flags),
  };
}

const evalCommand: Command = {
  path: ['eval'],
  summary: 'score generated videos with registered metrics (table + JSON report)',
  usage: USAGE,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, {
      videos: { type: 'string' }, prompts: { type: 'string' }, split: { type: 'string', default: 'test' },
      metrics: { type: 'string' }, out: { type: 'string' }, fps: { type: 'number', default: 8 },
      reference: { type: 'string' }, 'reference-split': { type: 'string' },
      clip: { type: 'string' }, domain: { type: 'string' }, probe: { type: 'string' }, i3d: { type: 'string' }, dino: { type: 'string' },
      list: { type: 'boolean' },
    });
    if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'; pass the videos with --videos DIR`);
    if (flags.list) {
      process.stdout.write(metricList());
      return 0;
    }
    const run = parseRun(flags);
    const log = (m: string): void => { process.stderr.write(`t2v eval: ${m}\n`); };
    let report: EvalReport;
    try {
      report = await runEval(run, { log });
    } catch (err) {
      if (err instanceof MetricInputError || err instanceof DatasetError) {
        process.stderr.write(`t2v eval: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
    process.stdout.write(formatTable(report));
    process.stdout.write(`wrote ${run.out}\n`);
    return Object.keys(report.failed).length > 0 ? 1 : 0;
  },
};

/** `t2v eval`, for the registry. */
export const commands: Command[] = [evalCommand];
