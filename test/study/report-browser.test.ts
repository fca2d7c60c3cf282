/**
 * report.html in a real browser: the synthetic study folder (./fixture.ts) is rendered, opened
 * from disk (file:// URL) in headless Chromium (Debian package `chromium`, /usr/bin/chromium)
 * driven by the npm devDependency `playwright-core` (no browser download), and checked: a table
 * row per method plus the ceiling row, a column per metric, every image/video loaded, no console
 * errors, and the sort buttons work. A full-page screenshot is saved (path printed) under
 * $T2V_ARTIFACTS or <tmp>/t2v-artifacts.
 *
 * Missing chromium or playwright-core FAILS this test with the fix (`bash scripts/setup.sh`);
 * set T2V_SKIP_BROWSER=1 to skip it instead on machines without a browser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReport } from '../../src/study/report/index.js';
import { CHROMIUM_PATH, inspectReport, type ChromiumLauncher } from './browser-check.js';
import { METHODS, METRICS, writeStudyFixture } from './fixture.js';

const SKIP = process.env.T2V_SKIP_BROWSER === '1';
const FIX = 'run `bash scripts/setup.sh` (it installs the Debian package chromium and the npm packages), or set T2V_SKIP_BROWSER=1 to skip this test';

/** playwright-core's chromium launcher, or a message saying what is missing. */
async function launcher(): Promise<ChromiumLauncher | string> {
  if (!existsSync(CHROMIUM_PATH)) return `headless Chromium is missing (${CHROMIUM_PATH} not found): ${FIX}`;
  const name = 'playwright-core'; // a variable: the project compiles without the package installed
  try {
    const mod = (await import(name)) as { chromium?: ChromiumLauncher; default?: { chromium?: ChromiumLauncher } };
    const chromium = mod.chromium ?? mod.default?.chromium;
    return chromium ?? `playwright-core has no chromium export: ${FIX}`;
  } catch (err) {
    return `the npm package playwright-core is not installed (${(err as Error).message.split('\n')[0]}): ${FIX}`;
  }
}

test('report.html opens from disk in headless Chromium: rows, columns, media, no console errors', { timeout: 60_000 }, async (t) => {
  const chromium = await launcher();
  if (typeof chromium === 'string') {
    if (SKIP) return t.skip(`T2V_SKIP_BROWSER=1: ${chromium}`);
    assert.fail(chromium);
  }
  const fx = writeStudyFixture();
  try {
    const html = await writeReport(fx.dir);
    const artifacts = process.env.T2V_ARTIFACTS ?? join(tmpdir(), 't2v-artifacts');
    mkdirSync(artifacts, { recursive: true });
    const shot = join(artifacts, 'report-browser.png');
    const page = await inspectReport(chromium, html, shot);
    console.log(`report screenshot: ${shot}`);

    assert.deepEqual([...page.methodRows].sort(), METHODS.map((m) => m.id).sort(), 'one comparison row per method');
    assert.equal(page.ceilingRows, 1, 'one real-video ceiling row');
    assert.deepEqual(page.primaryColumns, METRICS.filter((m) => !m.secondary).map((m) => m.name), 'a column per primary metric');
    assert.deepEqual(page.secondaryColumns, METRICS.filter((m) => m.secondary).map((m) => m.name), 'a column per secondary metric');
    // 5 sample grids + 1 latent plot, all GIF/PNG data URIs.
    assert.equal(page.media.filter((m) => m.tag === 'img').length, METHODS.length + 1);
    for (const m of page.media) assert.ok(m.loaded, `${m.tag} did not load: ${m.src}`);
    assert.deepEqual(page.consoleErrors, [], 'no console errors');
    // Ascending CLIPSIM (higher is better): the lowest first in each family (fixture values).
    assert.deepEqual(page.firstAfterSort, { joint: 'joint-fixed', specialised: 'unet-conv3d-base' });
    assert.ok(existsSync(shot), 'screenshot written');
  } finally {
    fx.cleanup();
  }
});
