/**
 * Sample grids: rows = prompts, columns = methods. Each method's file in `assets.samples` is one
 * looping GIF (or MP4) whose rows are the prompts of `assets.samplePrompts`, in order; the page
 * puts them side by side under their method names with the prompts as row labels on the left.
 */
import type { StudyResults } from '../results.js';
import { assetElement, loadAsset, type Asset } from './assets.js';
import { FAMILY_COLOUR, esc } from './format.js';
import { orderedMethods } from './view.js';

/** The sample-grid section body; `missing` collects files that could not be shown. */
export function renderSamples(r: StudyResults, studyDir: string, missing: Asset[]): string {
  const methods = orderedMethods(r).filter((m) => r.assets.samples[m.id] !== undefined);
  if (methods.length === 0) return '<p class="note">This study recorded no sample grids (<code>assets.samples</code> is empty).</p>';
  const prompts = r.assets.samplePrompts;
  const labels = prompts.length === 0 ? '' :
    `<div class="prompts" style="grid-template-rows:repeat(${prompts.length},1fr)">${prompts.map((p, i) => `<div class="prompt"><span class="idx">${i + 1}</span> ${esc(p)}</div>`).join('')}</div>`;
  const heads = methods.map((m) => `<div class="col-head" style="--fam:${FAMILY_COLOUR[m.family]}" title="${esc(m.description)}">${esc(m.label)}</div>`).join('');
  const cells = methods.map((m) => {
    const a = loadAsset(studyDir, r.assets.samples[m.id]!);
    if (a.kind === 'missing') missing.push(a);
    const alt = `${m.label}: samples for ${prompts.length} prompt${prompts.length === 1 ? '' : 's'}${prompts.length ? ` (${prompts.join(' / ')})` : ''}`;
    return `<div class="cell">${assetElement(a, alt, 'sample')}</div>`;
  }).join('');
  const cols = `${prompts.length ? 'minmax(8em, 14em) ' : ''}repeat(${methods.length}, minmax(0, 1fr))`;
  return `<div class="samples" style="grid-template-columns:${cols}">${prompts.length ? '<div class="corner">Prompt</div>' : ''}${heads}${labels}${cells}</div>` +
    `<p class="note">Each column is one method's samples, one row per prompt, looping.</p>`;
}

/** Latent-space plots as captioned figures. */
export function renderLatentPlots(r: StudyResults, studyDir: string, missing: Asset[]): string {
  const plots = r.assets.latentPlots;
  if (plots.length === 0) return '<p class="note">This study recorded no latent-space plots (<code>assets.latentPlots</code> is empty).</p>';
  const label = new Map(r.methods.map((m) => [m.id, m.label]));
  return `<div class="figures">${plots.map((p) => {
    const a = loadAsset(studyDir, p.file);
    if (a.kind === 'missing') missing.push(a);
    const who = label.get(p.method) ?? p.method;
    return `<figure class="plot">${assetElement(a, `${p.title} (${who})`)}<figcaption><strong>${esc(p.title)}</strong>${who ? ` · ${esc(who)}` : ''}</figcaption></figure>`;
  }).join('')}</div>`;
}
