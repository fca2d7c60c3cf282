/**
 * `t2v study`: both model families trained and evaluated side by side over seeds on one data
 * set, with matched budgets, then results.json / results.csv and report.html (src/study).
 */
import { existsSync } from 'node:fs';
import { UsageError, parseFlags, type Command } from '../command.js';
import { STUDY_PRESETS, studyPreset, type StudyPresetName } from '../../study/presets.js';
import { STUDY_METHOD_IDS } from '../../study/methods.js';
import { AE_ARCHS, type AeArch } from '../../models/ae/types.js';

/** `text` broken at spaces into lines of at most `width` characters, each indented by `indent`. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}

const USAGE = `usage: t2v study --out DIR [--preset micro|quick|paper] [--data DIR] [--seeds N] [options]

Train the shared pieces once per seed (video autoencoders, the evaluation domain model and
attribute probe, the conditioning text encoder: a domain model with another seed), then every
method of both families under the same optimizer-step budget; generate one video per test caption
(and 4 per caption for diversity); evaluate the metric suite against the real test split; write
DIR/results.json, DIR/results.csv and DIR/report.html. Re-running skips finished steps.

options:
  --out DIR            study folder (created; an existing one is resumed)        [required]
  --preset NAME        ${STUDY_PRESETS.join(' | ')}: micro is a CI smoke run on its own tiny set;
                       quick is the README demo (~20 min on 2 cores for 1 seed);
                       paper uses the paper's sizes                                [quick]
  --data DIR           a t2vlab data set (train/val/test splits); without it the study
                       generates its own 'single' SyncDraw set in DIR/data/single
  --seeds N            seeds 0..N-1                                               [preset's]
  --clip DIR           real CLIP folder: adds CLIPSIM (the domain model is always used)
  --methods a,b        methods to run (the real-video reference is always added); from:
${wrap(STUDY_METHOD_IDS.filter((m) => m !== 'reference').join(', '), 23, 92)}
  --budget-steps N     optimizer steps of every method's training (matched)      [preset's]
  --ae ARCH=RUN[,..]   use a trained autoencoder run (t2v train ae) for ARCH (conv3d-base,
                       unet3d, causal-vae) instead of training the preset's; every seed
                       shares it, e.g. --ae conv3d-base=runs/ae-60min
  --fail-fast          stop at the first failed step (default: go on with the steps
                       that do not need it)`;

function positiveInt(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new UsageError(`--${name} must be an integer ≥ 1, got ${String(v)}`);
  return v;
}

export async function runStudyCommand(argv: string[]): Promise<number> {
  const { flags, positional } = parseFlags(argv, {
    out: { type: 'string', required: true },
    preset: { type: 'string', default: 'quick' },
    data: { type: 'string' },
    seeds: { type: 'number' },
    clip: { type: 'string' },
    methods: { type: 'string' },
    'budget-steps': { type: 'number' },
    ae: { type: 'string' },
    'fail-fast': { type: 'boolean', default: false },
  });
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const preset = flags.preset as string;
  if (!STUDY_PRESETS.includes(preset as StudyPresetName)) throw new UsageError(`--preset must be one of ${STUDY_PRESETS.join(', ')}, got '${preset}'`);
  const data = flags.data as string | undefined;
  if (data !== undefined && !existsSync(data)) throw new UsageError(`--data ${data}: no such folder; pass a t2vlab data set, or leave --data out to generate one`);
  const clip = flags.clip as string | undefined;
  if (clip !== undefined && !existsSync(clip)) throw new UsageError(`--clip ${clip}: no such folder; pass a CLIP model folder (see README, "Models")`);
  const methods = flags.methods === undefined ? undefined : String(flags.methods).split(',').map((s) => s.trim()).filter((s) => s);
  for (const m of methods ?? []) if (!STUDY_METHOD_IDS.includes(m)) throw new UsageError(`--methods: unknown method '${m}'; valid: ${STUDY_METHOD_IDS.join(', ')}`);
  if (methods !== undefined && methods.length === 0) throw new UsageError('--methods is empty; name at least one method');
  const seeds = positiveInt(flags.seeds, 'seeds') ?? studyPreset(preset).seeds;
  const budgetSteps = positiveInt(flags['budget-steps'], 'budget-steps');
  const aeRuns = flags.ae === undefined ? undefined : parseAeRuns(String(flags.ae));

  const { runStudy } = await import('../../study/study.js');
  const t0 = performance.now();
  const out = await runStudy({
    out: flags.out as string, preset: preset as StudyPresetName, seeds,
    ...(data !== undefined ? { data } : {}), ...(clip !== undefined ? { clip } : {}), ...(methods ? { methods } : {}),
    ...(budgetSteps !== undefined ? { budgetSteps } : {}), ...(aeRuns ? { aeRuns } : {}),
    log: (m) => process.stderr.write(`t2v study: ${m}\n`),
    ...(flags['fail-fast'] ? { failFast: true } : {}),
  });
  const s = out.summary;
  const minutes = ((performance.now() - t0) / 60000).toFixed(1);
  process.stdout.write(`study ${out.studyDir}: ${s.ran} step(s) run, ${s.skipped} skipped, ${s.failed.length} failed, ${s.blocked.length} not run (${minutes} min)\n`);
  for (const f of s.failed) process.stdout.write(`  failed: ${f.id}: ${f.message?.split('\n')[0]}\n`);
  if (out.files) process.stdout.write(`results: ${out.files.results}\ncsv:     ${out.files.csv}\nreport:  ${out.files.report}\n`);
  return s.failed.length > 0 || s.blocked.length > 0 || !out.files ? 1 : 0;
}

/** `--ae conv3d-base=RUN,unet3d=RUN2` → { arch: folder }, each folder existing. */
function parseAeRuns(v: string): Partial<Record<AeArch, string>> {
  const out: Partial<Record<AeArch, string>> = {};
  for (const part of v.split(',').map((s) => s.trim()).filter((s) => s)) {
    const eq = part.indexOf('=');
    const arch = part.slice(0, eq);
    const dir = part.slice(eq + 1);
    if (eq < 0 || !(AE_ARCHS as readonly string[]).includes(arch)) throw new UsageError(`--ae: expected ARCH=RUN with ARCH one of ${AE_ARCHS.join(', ')}, got '${part}'`);
    if (!existsSync(dir)) throw new UsageError(`--ae ${part}: no such folder; pass a run folder of \`t2v train ae --arch ${arch}\``);
    out[arch as AeArch] = dir;
  }
  if (Object.keys(out).length === 0) throw new UsageError('--ae is empty; give ARCH=RUN, e.g. conv3d-base=runs/ae');
  return out;
}

const studyCommand: Command = {
  path: ['study'],
  summary: 'train and evaluate both families over seeds; results and report.html',
  usage: USAGE,
  run: (argv) => runStudyCommand(argv),
};

export const commands: Command[] = [studyCommand];
