/**
 * Executing a study plan (issue 9 part 2): steps in plan order, each in its own folder, each
 * finished by a `done.json` marker written atomically LAST:
 *
 *   { "id", "kind", "title", "seed", "started", "finished", "seconds", "info": {...} }
 *
 * `seconds` is the step's wall-clock in the session that finished it; `info` is what its executor
 * returned (e.g. the trainer's total training seconds over resumed sessions).
 *
 * Re-running a study skips every step whose done.json is present (and names the same step id),
 * unless a step it needs finished after it started (that input was redone, e.g. after its
 * marker was deleted): then it runs again too. A step without a marker — never started, or
 * interrupted — runs again: its executor picks up what is there (the trainer resumes from its
 * newest checkpoint; sampling and evaluation start over).
 * A step that throws gets no marker; the steps that need it (directly or not) are skipped with a
 * note, the rest of the study goes on, and the summary lists the failures.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { writeJsonAtomic } from '../io/atomic.js';
import type { PlanStep, StepKind, StepOf, StudyPlan } from './plan.js';

export const DONE_FILE = 'done.json';

export interface DoneRecord {
  id: string;
  kind: StepKind;
  title: string;
  seed: number | null;
  started: string;
  finished: string;
  seconds: number;
  /** CPU seconds (user + system) of this process during the step: its cost apart from contention. */
  cpuSeconds: number;
  info: Record<string, unknown>;
}

/** What every executor gets besides its step. */
export interface RunContext {
  /** The study folder (absolute). */
  studyDir: string;
  plan: StudyPlan;
  /** An absolute path from one relative to the study folder (absolute paths pass through). */
  abs(rel: string): string;
  /** Progress lines for the user. */
  log(message: string): void;
}

/** Runs one kind of step; returns what done.json records under `info`. */
export type StepExecutor<K extends StepKind = StepKind> = (step: StepOf<K>, ctx: RunContext) => Promise<Record<string, unknown> | void>;
export type Executors = { [K in StepKind]: StepExecutor<K> };

export interface StepOutcome {
  id: string;
  status: 'done' | 'skipped' | 'failed' | 'blocked';
  seconds: number;
  /** Failure message, or for 'blocked' the step it waited on. */
  message?: string;
}

export interface RunSummary {
  outcomes: StepOutcome[];
  ran: number;
  skipped: number;
  failed: StepOutcome[];
  blocked: StepOutcome[];
}

/** The marker of a finished step, or null when there is none (or it belongs to another step). */
export function readDone(studyDir: string, step: Pick<PlanStep, 'id' | 'dir'>): DoneRecord | null {
  const file = join(studyDir, step.dir, DONE_FILE);
  if (!existsSync(file)) return null;
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as DoneRecord;
    return rec && rec.id === step.id ? rec : null;
  } catch {
    return null; // a damaged marker: the step runs again
  }
}

export function isDone(studyDir: string, step: Pick<PlanStep, 'id' | 'dir'>): boolean {
  return readDone(studyDir, step) !== null;
}

export interface RunPlanOptions {
  log?: (message: string) => void;
  /** Stop at the first failure instead of going on with the steps that do not need it. */
  failFast?: boolean;
}

/** Execute `plan` in `studyDir` with `executors`; see the module comment. */
export async function runPlan(plan: StudyPlan, studyDir: string, executors: Executors, opts: RunPlanOptions = {}): Promise<RunSummary> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const ctx: RunContext = { studyDir, plan, abs: (rel) => (isAbsolute(rel) ? rel : join(studyDir, rel)), log };
  const outcomes: StepOutcome[] = [];
  const bad = new Map<string, string>(); // step id → the failed step it comes down to
  const finished = new Map<string, string>(); // step id → when it finished (ISO time)
  const n = plan.steps.length;
  for (const [i, step] of plan.steps.entries()) {
    const head = `[${i + 1}/${n}]`;
    const done = readDone(studyDir, step);
    const stale = done ? newerDep(step, done, finished) : undefined;
    if (done && stale === undefined) {
      finished.set(step.id, done.finished);
      outcomes.push({ id: step.id, status: 'skipped', seconds: 0 });
      log(`${head} ${step.title}: done earlier (${done.seconds.toFixed(1)} s), skipped`);
      continue;
    }
    if (stale !== undefined) log(`${head} ${step.title}: ${stale} finished after it, so it runs again`);
    const waiting = step.deps.find((d) => bad.has(d));
    if (waiting !== undefined) {
      bad.set(step.id, bad.get(waiting)!);
      outcomes.push({ id: step.id, status: 'blocked', seconds: 0, message: bad.get(waiting)! });
      log(`${head} ${step.title}: not run, it needs ${waiting}, which failed`);
      continue;
    }
    log(`${head} ${step.title} ...`);
    const started = new Date();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    try {
      mkdirSync(join(studyDir, step.dir), { recursive: true });
      const exec = executors[step.kind] as StepExecutor;
      const info = (await exec(step, ctx)) ?? {};
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const rec: DoneRecord = {
        id: step.id, kind: step.kind, title: step.title, seed: step.seed, started: started.toISOString(), finished: new Date().toISOString(),
        seconds: round(seconds), cpuSeconds: round((cpu.user + cpu.system) / 1e6), info,
      };
      writeJsonAtomic(join(studyDir, step.dir, DONE_FILE), rec);
      finished.set(step.id, rec.finished);
      outcomes.push({ id: step.id, status: 'done', seconds });
      log(`${head} ${step.title}: done in ${seconds.toFixed(1)} s (${rec.cpuSeconds.toFixed(1)} CPU s)`);
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      const seconds = (performance.now() - t0) / 1000;
      outcomes.push({ id: step.id, status: 'failed', seconds, message });
      bad.set(step.id, step.id);
      log(`${head} ${step.title}: FAILED after ${seconds.toFixed(1)} s: ${message}`);
      if (opts.failFast) throw err;
    }
  }
  return {
    outcomes,
    ran: outcomes.filter((o) => o.status === 'done').length,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
    failed: outcomes.filter((o) => o.status === 'failed'),
    blocked: outcomes.filter((o) => o.status === 'blocked'),
  };
}

/** The first dependency that finished after `done` started (its output changed since), if any. */
function newerDep(step: PlanStep, done: DoneRecord, finished: ReadonlyMap<string, string>): string | undefined {
  return step.deps.find((d) => {
    const t = finished.get(d);
    return t !== undefined && Date.parse(t) > Date.parse(done.started);
  });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
