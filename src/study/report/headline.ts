/**
 * The headline: the research question (joint text–video latent vs specialised video latent)
 * answered from the aggregates only. Per primary metric the best method of each family is
 * compared by mean; the lead is called "clear" only when both have intervals (n > 1) and the
 * intervals do not overlap. A caveat line states the preset, the seeds and the data.
 *
 * A frozen video scores best on the temporal-consistency metrics (metrics.md: "report dynamic
 * degree beside smoothness and flicker"). On those metrics a leader whose dynamic degree is
 * under half the real videos' (or under 0.2 without a real-video ceiling) is flagged
 * "nearly static" and its lead is never called clear.
 */
import type { Interval, StudyMethod, StudyMetric, StudyResults } from '../results.js';
import { FAMILY_COLOUR, NONE, esc, formatInterval } from './format.js';
import { marker, px, scale } from './svg.js';
import { columnDecimals } from './table.js';
import { aggregateOf, direction, familyBest } from './view.js';

/** Metrics on which a frozen video scores best (metrics.md §2). */
export const FROZEN_FAVOURED: ReadonlySet<string> = new Set(['motion_smoothness', 'temporal_flickering', 'subject_consistency', 'background_consistency', 'warping_error']);
const DYNAMIC = 'dynamic_degree';
const FROZEN_NOTE = 'a frozen video scores best on this metric';

type Side = { method: StudyMethod; iv: Interval } | null;

/** One primary metric's comparison of the two families' best methods. */
export interface Verdict {
  metric: StudyMetric;
  joint: Side;
  specialised: Side;
  /** Which family's best is better (as displayed); null when a side has no value. */
  leader: 'joint' | 'specialised' | 'tie' | null;
  /** Both have intervals over more than one seed and they do not overlap (and the leader is not nearly static). */
  clear: boolean;
  /** On a metric a frozen video wins: the leader's dynamic degree and the real videos' (null: not measured). */
  staticLeader: { dynamic: number; real: number | null } | null;
}

/** The leader's dynamic degree when it is too low for a consistency lead to mean much; else null. */
function staticLeader(r: StudyResults, metric: StudyMetric, lead: Side): Verdict['staticLeader'] {
  if (!lead || !FROZEN_FAVOURED.has(metric.name)) return null;
  const dyn = aggregateOf(r, lead.method.id, DYNAMIC);
  if (!dyn) return null;
  const real = r.ceilings[DYNAMIC] ?? null;
  const low = real !== null && real > 0 ? dyn.mean < 0.5 * real : dyn.mean < 0.2;
  return low ? { dynamic: dyn.mean, real } : null;
}

/** The verdict on each primary metric. */
export function verdicts(r: StudyResults): Verdict[] {
  return r.metrics.filter((m) => !m.secondary).map((metric) => {
    const joint = familyBest(r, 'joint', metric);
    const specialised = familyBest(r, 'specialised', metric);
    if (!joint || !specialised) return { metric, joint, specialised, leader: null, clear: false, staticLeader: null };
    const d = columnDecimals(r, metric);
    const [a, b] = [Number(joint.iv.mean.toFixed(d)), Number(specialised.iv.mean.toFixed(d))];
    const leader = a === b ? 'tie' : (a > b) === metric.higherIsBetter ? 'joint' : 'specialised';
    const separate = joint.iv.high < specialised.iv.low || specialised.iv.high < joint.iv.low;
    const frozen = leader === 'tie' ? null : staticLeader(r, metric, leader === 'joint' ? joint : specialised);
    return { metric, joint, specialised, leader, clear: leader !== 'tie' && separate && joint.iv.n > 1 && specialised.iv.n > 1 && !frozen, staticLeader: frozen };
  });
}

const FAMILY_WORD = { joint: 'joint', specialised: 'specialised' } as const;

function chip(family: 'joint' | 'specialised'): string {
  return `<span class="chip" style="--fam:${FAMILY_COLOUR[family]}">${FAMILY_WORD[family]}</span>`;
}

function side(s: NonNullable<Side>, d: number): string {
  return `${esc(s.method.label)} <span class="num">${esc(formatInterval(s.iv, d))}</span>`;
}

/** Why a lead is or is not clear, in words. */
function strength(v: Verdict): string {
  if (v.leader === 'tie' || !v.joint || !v.specialised) return '';
  if (v.staticLeader) {
    const real = v.staticLeader.real !== null ? `, real ${v.staticLeader.real.toFixed(2)}` : '';
    return `static videos: dynamic degree ${v.staticLeader.dynamic.toFixed(2)}${real}`;
  }
  if (Math.min(v.joint.iv.n, v.specialised.iv.n) <= 1) return 'one seed: no interval, the gap may be noise';
  return v.clear ? 'the 95% intervals do not overlap' : 'the 95% intervals overlap: not a clear difference';
}

/**
 * The verdict as a sentence, e.g. "On CLIPSIM-domain ↑ the specialised family leads: DiT 0.315
 * [0.251, 0.379] vs Progressive bucket 0.275 [0.211, 0.339] (the 95% intervals overlap: ...)."
 */
export function verdictSentence(r: StudyResults, v: Verdict): string {
  const name = `${esc(v.metric.label)} <span class="dir" title="${esc(direction(v.metric).words)}">${direction(v.metric).arrow}</span>`;
  const d = columnDecimals(r, v.metric);
  if (!v.joint || !v.specialised) {
    const only = v.joint ? 'joint' : v.specialised ? 'specialised' : null;
    return `On ${name} ${only ? `only the ${chip(only)} family has a value: ${side((v.joint ?? v.specialised)!, d)}` : 'neither family has a value'}.`;
  }
  const [lead, other] = v.leader === 'specialised' ? [v.specialised, v.joint] : [v.joint, v.specialised];
  const head = v.leader === 'tie' ? 'the families tie' : `the ${chip(v.leader as 'joint' | 'specialised')} family leads`;
  const why = v.staticLeader ? `${strength(v)}; ${FROZEN_NOTE}` : strength(v);
  return `On ${name} ${head}: ${side(lead, d)} vs ${side(other, d)}${why ? ` (${why})` : ''}.`;
}

/** Both families' best intervals on one small common axis: joint above (circle), specialised below (diamond). */
function strip(v: Verdict): string {
  const sides = (['joint', 'specialised'] as const).map((f) => ({ f, s: v[f] })).filter((x) => x.s !== null);
  if (sides.length === 0) return '';
  const lo = Math.min(...sides.map((x) => x.s!.iv.low));
  const hi = Math.max(...sides.map((x) => x.s!.iv.high));
  const pad = hi > lo ? (hi - lo) * 0.08 : Math.abs(lo) * 0.05 || 1;
  const x = scale(lo - pad, hi + pad, 4, 196);
  const marks = sides.map(({ f, s }) => {
    const y = f === 'joint' ? 9 : 21;
    const c = FAMILY_COLOUR[f];
    return `<line x1="${px(x(s!.iv.low))}" x2="${px(x(s!.iv.high))}" y1="${y}" y2="${y}" stroke="${c}" stroke-width="2"/>${marker(f, x(s!.iv.mean), y, 4, c)}`;
  }).join('');
  return `<svg viewBox="0 0 200 30" role="img" aria-label="${esc(`${v.metric.label}: best joint and best specialised method, mean and 95% interval`)}">${marks}</svg>`;
}

function scoreCell(s: Side, d: number): string {
  return s ? `<td class="num">${esc(formatInterval(s.iv, d))}<span class="who">${esc(s.method.label)}</span></td>` : `<td class="num none" title="no method of this family has a value">${NONE}</td>`;
}

/** The scoreboard: per primary metric, each family's best method, the two intervals drawn, and who leads. */
function scoreboard(r: StudyResults, vs: Verdict[]): string {
  const rows = vs.map((v) => {
    const d = columnDecimals(r, v.metric);
    const dir = direction(v.metric);
    const lead = v.leader === null ? '<span class="soft">no comparison</span>' : v.leader === 'tie' ? 'tie'
      : `${chip(v.leader)} leads${v.clear ? ' · clear' : v.staticLeader ? ' · static' : ''}`;
    return `<tr data-verdict="${v.leader ?? 'none'}"><th scope="row">${esc(v.metric.label)} <span class="dir" title="${esc(dir.words)}">${dir.arrow}</span></th>` +
      `${scoreCell(v.joint, d)}<td class="strip">${strip(v)}</td>${scoreCell(v.specialised, d)}` +
      `<td class="verdict" title="${esc(v.staticLeader ? `${strength(v)}: ${FROZEN_NOTE}, so the lead is not a clear difference` : strength(v))}">${lead}${v.leader && v.leader !== 'tie' ? `<span class="who">${esc(strength(v))}</span>` : ''}</td></tr>`;
  }).join('');
  return `<div class="table-wrap"><table class="scoreboard"><thead><tr><th scope="col">Primary metric</th><th scope="col" class="num">Best ${chip('joint')}</th>` +
    `<th scope="col">${r.seeds.length > 1 ? '95% intervals' : 'Means'}</th><th scope="col" class="num">Best ${chip('specialised')}</th><th scope="col">Verdict</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** What the preset's size means for reading the numbers. */
const PRESET_CAVEAT: Record<StudyResults['preset'], string> = {
  micro: 'The micro preset trains tiny models for a few steps: it checks the pipeline and says nothing reliable about the research question.',
  quick: 'The quick preset trains small models briefly on one dataset: read it as a first indication, not a conclusion.',
  paper: 'Paper-scale budgets, but still one dataset and a handful of seeds.',
};

/** The headline section body: the answer, the per-metric scoreboard and the caveat. */
export function renderHeadline(r: StudyResults): string {
  const vs = verdicts(r);
  const compared = vs.filter((v) => v.leader !== null);
  const count = (f: 'joint' | 'specialised') => compared.filter((v) => v.leader === f).length;
  const clear = (f: 'joint' | 'specialised') => compared.filter((v) => v.leader === f && v.clear).length;
  const [j, s] = [count('joint'), count('specialised')];
  const of = `of ${compared.length} primary metric${compared.length === 1 ? '' : 's'}`;
  const clearText = (f: 'joint' | 'specialised') => (r.seeds.length > 1 ? ` (${clear(f)} with non-overlapping intervals)` : '');
  let answer: string;
  if (compared.length === 0) answer = 'The families cannot be compared: no primary metric has a value for both a joint and a specialised method.';
  else if (j === s) answer = `Neither family leads overall: each leads on ${j} ${of}${compared.length > j + s ? `, with ${compared.length - j - s} tied` : ''}.`;
  else {
    const [w, l] = j > s ? (['joint', 'specialised'] as const) : (['specialised', 'joint'] as const);
    answer = `The ${chip(w)} family leads on ${count(w)} ${of}${clearText(w)}; the ${chip(l)} family leads on ${count(l)}${clearText(l)}.`;
  }
  const seeds = `${r.seeds.length} seed${r.seeds.length === 1 ? '' : 's'} (${r.seeds.join(', ')})`;
  const counts = Object.entries(r.data.counts).map(([k, v]) => `${v} ${k}`).join(' / ');
  const caveat = `Preset <strong>${esc(r.preset)}</strong>, ${esc(seeds)}, data <strong>${esc(r.data.name)}</strong>${counts ? ` (${esc(counts)} videos)` : ''}. ` +
    `Each family is represented by its best method per metric; ${r.seeds.length === 1 ? 'with one seed there are no intervals, so any difference may be seed noise'
      : `intervals are 95% over seeds${r.seeds.length <= 3 ? ', and with so few seeds they are wide' : ''}`}. ${PRESET_CAVEAT[r.preset]}`;
  const first = vs.find((v) => v.leader !== null);
  return `<p class="answer">${answer}</p>${first ? `<p class="lead">${verdictSentence(r, first)}</p>` : ''}` +
    `${scoreboard(r, vs)}<p class="caveat">${caveat}</p>`;
}
