/**
 * `npm run bench -- <suite>`: runs one benchmark suite and prints one JSON line with its figures.
 * Each suite module exports `run(): Promise<Record<string, unknown>>`.
 */
const SUITES: Record<string, () => Promise<{ run(): Promise<Record<string, unknown>> }>> = {
  engine: () => import('./engine.js'),
  data: () => import('./data.js'),
  ddp: () => import('./ddp.js'),
  clip: () => import('./clip.js'),
  quality: () => import('./quality.js'),
  align: () => import('./align.js'),
  diffusion: () => import('./diffusion.js'),
  metrics: () => import('./metrics.js'),
  domain: () => import('./domain.js'),
  ae: () => import('./ae.js'),
};

async function main(): Promise<void> {
  const name = process.argv[2];
  const suite = name ? SUITES[name] : undefined;
  if (!suite) {
    process.stderr.write(`usage: npm run bench -- <suite>; suites: ${Object.keys(SUITES).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const figures = await (await suite()).run();
  process.stdout.write(JSON.stringify({ suite: name, ...figures }) + '\n');
}

await main();
