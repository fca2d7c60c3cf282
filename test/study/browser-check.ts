/**
 * Open a report.html from disk (file:// URL) in headless Chromium driven by playwright-core and
 * collect what the browser test asserts on: the comparison tables' rows and metric columns,
 * whether every <img>/<video> loaded, console errors, and a full-page screenshot.
 *
 * Only the few playwright-core calls used here are typed (structurally), so this file compiles
 * without playwright-core installed; the test loads the module at run time.
 */
import { pathToFileURL } from 'node:url';

/** The Debian package's browser binary; the test uses it (no browser download). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

interface ConsoleMessage { type(): string; text(): string }
interface Locator { click(): Promise<void> }
interface Page {
  on(event: 'console', f: (m: ConsoleMessage) => void): void;
  on(event: 'pageerror', f: (e: Error) => void): void;
  on(event: 'requestfailed', f: (r: { url(): string }) => void): void;
  goto(url: string, opts?: { waitUntil?: 'load' }): Promise<unknown>;
  /** Evaluate a JavaScript expression in the page (a string: this project compiles without DOM types). */
  evaluate<R>(expression: string): Promise<R>;
  locator(selector: string): Locator;
  screenshot(opts: { path: string; fullPage?: boolean }): Promise<unknown>;
}
interface Browser { newPage(opts?: { viewport?: { width: number; height: number } }): Promise<Page>; close(): Promise<void> }
/** The part of playwright-core's `chromium` this file uses. */
export interface ChromiumLauncher {
  launch(opts: { executablePath: string; headless?: boolean; args?: string[] }): Promise<Browser>;
}

/** What the page showed. */
export interface PageReport {
  methodRows: string[];
  ceilingRows: number;
  primaryColumns: string[];
  secondaryColumns: string[];
  media: { tag: string; src: string; loaded: boolean }[];
  consoleErrors: string[];
  /** First method row of each family group after sorting by the first metric ascending. */
  firstAfterSort: Record<string, string>;
}

/** Every <img> and <video> and whether it loaded (videos get up to 5 s to reach HAVE_CURRENT_DATA). */
const MEDIA_SCRIPT = `(async () => {
  const vids = [...document.querySelectorAll('video')];
  await Promise.all(vids.map((v) => v.readyState >= 2 ? null : new Promise((ok) => {
    v.addEventListener('loadeddata', ok, { once: true }); v.addEventListener('error', ok, { once: true }); setTimeout(ok, 5000);
  })));
  return [
    ...[...document.querySelectorAll('img')].map((i) => ({ tag: 'img', src: i.src.slice(0, 60), loaded: i.complete && i.naturalWidth > 0 })),
    ...vids.map((v) => ({ tag: 'video', src: v.src.slice(0, 60), loaded: v.readyState >= 2 })),
  ];
})()`;

/** Method rows, ceiling rows and metric columns of the two comparison tables. */
const TABLES_SCRIPT = `(() => {
  const attr = (sel, a) => [...document.querySelectorAll(sel)].map((e) => e.getAttribute(a));
  return {
    methodRows: attr('#comparison tr[data-method]', 'data-method'),
    ceilingRows: document.querySelectorAll('#comparison tr[data-ceiling]').length,
    primaryColumns: attr('#comparison thead th[data-metric]', 'data-metric'),
    secondaryColumns: attr('#secondary thead th[data-metric]', 'data-metric'),
  };
})()`;

/** family -> its first method row in the comparison table. */
const FIRST_ROWS_SCRIPT = `Object.fromEntries([...document.querySelectorAll('#comparison tbody.family')]
  .map((g) => [g.getAttribute('data-family'), g.querySelector('tr[data-method]').getAttribute('data-method')]))`;

/** Open `htmlFile` and inspect it; saves a full-page screenshot at `screenshot`. */
export async function inspectReport(chromium: ChromiumLauncher, htmlFile: string, screenshot: string): Promise<PageReport> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => consoleErrors.push(`request failed: ${r.url().slice(0, 120)}`));
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load' });
    const media = await page.evaluate<PageReport['media']>(MEDIA_SCRIPT);
    const tables = await page.evaluate<Pick<PageReport, 'methodRows' | 'ceilingRows' | 'primaryColumns' | 'secondaryColumns'>>(TABLES_SCRIPT);
    await page.screenshot({ path: screenshot, fullPage: true });
    // Sort by the first metric twice (descending, then ascending) through the page's own script.
    const sortButton = page.locator('#comparison button.sort[data-col="1"]');
    await sortButton.click();
    await sortButton.click();
    const firstAfterSort = await page.evaluate<Record<string, string>>(FIRST_ROWS_SCRIPT);
    return { ...tables, media, consoleErrors, firstAfterSort };
  } finally {
    await browser.close();
  }
}
