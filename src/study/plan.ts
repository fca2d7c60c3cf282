/**
 * The step graph of a study (issue 9 part 1; method.md "The study"), built without touching the
 * engine or the disk. Folders are relative to the study folder (layout in results.ts):
 *
 *   data/single/                          the generated `single` set (when the study makes its own)
 *   shared/seed-<s>/ae-<arch>/            the shared video autoencoders of seed s (trainer run folders)
 *   shared/seed-<s>/domain/               the evaluation domain model (train seed s)
 *   shared/seed-<s>/probe/                the attribute probe (evaluation; synthetic data only)
 *   shared/seed-<s>/text/                 the conditioning text encoder: a domain-model run with
 *                                         train seed s + TEXT_SEED_OFFSET in its own folder, so the
 *                                         evaluation models never condition generation
 *   methods/<m>/seed-<s>/                 the method's training run (trainer run folder)
 *   methods/<m>/seed-<s>/samples/         its samples (.npy uint8 (T, H, W, C)), prompts, grid GIF
 *   methods/<m>/seed-<s>/eval/            eval.json: the metric suite on those samples
 *   real/seed-<s>/samples/, real/seed-<s>/eval/   the `reference` pseudo-method (real test videos)
 *
 * Order: the data, then seed by seed: the shared pieces, then each method's train → samples → eval.
 * Every step lists the steps it needs (`deps`), all earlier in the list.
 */
import type { AeArch } from '../models/ae/types.js';
import { STUDY_METHOD_IDS, studyMethod, trains, type MethodSpec } from './methods.js';
import { TEXT_SEED_OFFSET, type AePiece, type DataSpec, type DomainPiece, type MethodBudget, type StudyPreset } from './presets.js';
import { DIVERSITY_METRICS } from './suite.js';

interface StepBase {
  /** Unique, e.g. 'seed-0/ae-conv3d-base', 'seed-0/progressive-bucket/train'. */
  id: string;
  /** What the progress line says. */
  title: string;
  /** The step's own folder, relative to the study folder; `done.json` is written there last. */
  dir: string;
  seed: number | null;
  /** Ids of the steps it needs. */
  deps: string[];
}

export type PlanStep =
  | (StepBase & { kind: 'data'; data: DataSpec; datasetDir: string })
  | (StepBase & { kind: 'ae'; arch: AeArch; piece: AePiece })
  | (StepBase & { kind: 'domain'; role: 'evaluation' | 'conditioning'; trainSeed: number; piece: DomainPiece })
  | (StepBase & { kind: 'probe'; trainSeed: number; piece: DomainPiece })
  | (StepBase & { kind: 'train'; method: MethodSpec; ae: string; text: string; budget: MethodBudget })
  | (StepBase & { kind: 'samples'; method: MethodSpec; run: string | null; ae: string | null; text: string | null })
  | (StepBase & { kind: 'eval'; method: MethodSpec; samples: string; domain: string; probe: string | null; metrics: string[]; diversityMetrics: string[] });

export type StepKind = PlanStep['kind'];
export type StepOf<K extends StepKind> = Extract<PlanStep, { kind: K }>;

export interface PlanOptions {
  preset: StudyPreset;
  /** Study seeds, e.g. [0, 1, 2]. */
  seeds: number[];
  /** Method ids (default: the preset's); 'reference' is always added. */
  methods?: string[];
  /**
   * The data set: null = the study generates its own (`data/single`); otherwise its folder
   * (absolute, or relative to the study folder).
   */
  data: string | null;
  /** Metrics to compute (already filtered: see suite.ts chooseMetrics). */
  metrics: string[];
  /** An attribute probe is trained (synthetic data). */
  probe: boolean;
  /** Optimizer steps of every method (matched); default the preset's. */
  budgetSteps?: number;
  /** Real CLIP folder (absolute) for `clipsim`; null without --clip. */
  clip?: string | null;
  /** Suite metrics left out and why (recorded in every eval.json and in results.json). */
  metricsLeft?: { name: string; reason: string }[];
  /**
   * Trained autoencoder run folders (absolute) used instead of training the preset's, per
   * architecture (e.g. a 60-minute 3DConv-Base run): every seed shares it and no `ae` step is planned.
   */
  aeRuns?: Partial<Record<AeArch, string>>;
}

export interface StudyPlan {
  preset: StudyPreset;
  seeds: number[];
  methods: MethodSpec[];
  /** The data set folder (relative to the study folder when generated: 'data/single'). */
  dataDir: string;
  /** The study generates its data set. */
  generatesData: boolean;
  metrics: string[];
  metricsLeft: { name: string; reason: string }[];
  clip: string | null;
  /** The autoencoder runs given from outside the study (absolute folders). */
  aeRuns: Partial<Record<AeArch, string>>;
  budget: MethodBudget;
  steps: PlanStep[];
}

export const GENERATED_DATA_DIR = 'data/single';

/** Folder of a shared piece of seed s. */
export function sharedDir(seed: number, piece: string): string {
  return `shared/seed-${seed}/${piece}`;
}

/** Run folder of a method and seed ('real/seed-<s>' for the reference). */
export function runDir(method: string, seed: number): string {
  return method === 'reference' ? `real/seed-${seed}` : `methods/${method}/seed-${seed}`;
}

/** The methods of a study: the given ids (or the preset's), in catalogue order, plus 'reference'. */
export function resolveMethods(ids: readonly string[] | undefined, preset: StudyPreset): MethodSpec[] {
  const want = new Set(ids ?? preset.methods);
  for (const id of want) studyMethod(id); // throws on an unknown id
  want.add('reference');
  return STUDY_METHOD_IDS.filter((id) => want.has(id)).map(studyMethod);
}

/** Build the plan; throws on an unknown method, bad seeds or budget. */
export function buildPlan(o: PlanOptions): StudyPlan {
  if (o.seeds.length === 0 || o.seeds.some((s) => !Number.isSafeInteger(s) || s < 0) || new Set(o.seeds).size !== o.seeds.length) {
    throw new RangeError(`study seeds must be distinct integers ≥ 0, got [${o.seeds.join(', ')}]`);
  }
  if (o.budgetSteps !== undefined && !(Number.isSafeInteger(o.budgetSteps) && o.budgetSteps >= 1)) {
    throw new RangeError(`the method budget must be an integer ≥ 1 optimizer steps, got ${o.budgetSteps}`);
  }
  const preset = o.preset;
  const methods = resolveMethods(o.methods, preset);
  const budget: MethodBudget = { ...preset.budget, ...(o.budgetSteps !== undefined ? { steps: o.budgetSteps } : {}) };
  budget.ckptEvery = Math.min(budget.ckptEvery, budget.steps);
  const generatesData = o.data === null;
  const steps: PlanStep[] = [];
  const dataDeps: string[] = [];
  if (generatesData) {
    steps.push({ kind: 'data', id: 'data', title: `generate the 'single' SyncDraw set (${preset.data.train}/${preset.data.val}/${preset.data.test} videos)`, dir: 'data', seed: null, deps: [], data: { ...preset.data }, datasetDir: GENERATED_DATA_DIR });
    dataDeps.push('data');
  }
  const aes = [...new Set(methods.map((m) => m.ae).filter((a): a is AeArch => a !== null))];
  for (const seed of o.seeds) steps.push(...seedSteps(seed, { ...o, methods, budget, aes, dataDeps }));
  const diversity = new Set(DIVERSITY_METRICS);
  return {
    preset, seeds: [...o.seeds], methods, dataDir: o.data ?? GENERATED_DATA_DIR, generatesData,
    metrics: o.metrics.filter((m) => !diversity.has(m)).concat(o.metrics.filter((m) => diversity.has(m))),
    metricsLeft: [...(o.metricsLeft ?? [])], clip: o.clip ?? null, aeRuns: { ...(o.aeRuns ?? {}) }, budget, steps,
  };
}

interface SeedContext extends Omit<PlanOptions, 'methods'> {
  methods: MethodSpec[];
  budget: MethodBudget;
  aes: AeArch[];
  dataDeps: string[];
}

const sampleTitle = (m: MethodSpec): string =>
  m.kind === 'reference' ? 'collect real videos of the test captions' : m.kind === 'oracle' ? `decode the latent oracle ${m.id}` : `sample ${m.id}`;

/** The shared pieces of one seed, then each method's train → samples → eval. */
function seedSteps(seed: number, c: SeedContext): PlanStep[] {
  const p = c.preset;
  const at = (piece: string) => ({ id: `seed-${seed}/${piece}`, dir: sharedDir(seed, piece), seed, deps: c.dataDeps });
  const out: PlanStep[] = [];
  const given = c.aeRuns ?? {};
  for (const arch of c.aes.filter((a) => given[a] === undefined)) out.push({ kind: 'ae', ...at(`ae-${arch}`), title: `seed ${seed} · train the ${arch} autoencoder`, arch, piece: structuredClone(p.ae[arch]) });
  const domain = at('domain');
  out.push({ kind: 'domain', ...domain, title: `seed ${seed} · train the evaluation domain model`, role: 'evaluation', trainSeed: seed, piece: structuredClone(p.domain) });
  const probe = c.probe ? at('probe') : null;
  if (probe) out.push({ kind: 'probe', ...probe, title: `seed ${seed} · train the attribute probe`, trainSeed: seed, piece: structuredClone(p.probe) });
  const text = at('text');
  const generating = c.methods.some(trains);
  if (generating) out.push({ kind: 'domain', ...text, title: `seed ${seed} · train the conditioning text encoder (seed ${seed + TEXT_SEED_OFFSET})`, role: 'conditioning', trainSeed: seed + TEXT_SEED_OFFSET, piece: structuredClone(p.text) });
  const evalDeps = [domain.id, ...(probe ? [probe.id] : [])];
  const metrics = c.metrics.filter((m) => !DIVERSITY_METRICS.includes(m));
  const diversityMetrics = c.metrics.filter((m) => DIVERSITY_METRICS.includes(m));
  for (const m of c.methods) {
    const dir = runDir(m.id, seed);
    const id = (what: string) => `seed-${seed}/${m.id}/${what}`;
    const givenAe = m.ae ? given[m.ae] : undefined;
    const ae = m.ae ? givenAe ?? sharedDir(seed, `ae-${m.ae}`) : null;
    const aeDeps = m.ae && givenAe === undefined ? [`seed-${seed}/ae-${m.ae}`] : [];
    const sampleDeps = [...c.dataDeps, ...aeDeps]; // sampling decodes through the autoencoder
    if (trains(m)) {
      out.push({ kind: 'train', id: id('train'), title: `seed ${seed} · train ${m.id} (${c.budget.steps} steps)`, dir, seed, deps: [...c.dataDeps, ...aeDeps, text.id], method: m, ae: ae!, text: text.dir, budget: { ...c.budget } });
      sampleDeps.push(id('train'));
    }
    out.push({
      kind: 'samples', id: id('samples'), title: `seed ${seed} · ${sampleTitle(m)}`, dir: `${dir}/samples`, seed, deps: sampleDeps,
      method: m, run: trains(m) ? dir : null, ae, text: trains(m) ? text.dir : null,
    });
    out.push({
      kind: 'eval', id: id('eval'), title: `seed ${seed} · evaluate ${m.id}`, dir: `${dir}/eval`, seed, deps: [id('samples'), ...evalDeps],
      method: m, samples: `${dir}/samples`, domain: domain.dir, probe: probe?.dir ?? null, metrics, diversityMetrics,
    });
  }
  return out;
}
