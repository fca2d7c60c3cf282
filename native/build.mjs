// Builds the native addon (native/build/Release/t2v_native.node) with node-gyp, only when a
// source file, the binding or the selected libtorch changed. Run by `npm install`; `--force`
// rebuilds. Set LIBTORCH to build against another libtorch (see README, "Engine").
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { torchConfig } from './torch-config.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build/Release/t2v_native.node');
const stamp = join(here, 'build/.t2v-stamp');

function fingerprint() {
  const h = createHash('sha256');
  const files = ['binding.gyp', 'torch-config.mjs', ...readdirSync(join(here, 'src')).map((f) => `src/${f}`)].sort();
  for (const f of files) h.update(f).update(readFileSync(join(here, f)));
  h.update(JSON.stringify(torchConfig())).update(process.version);
  return h.digest('hex');
}

const cfg = torchConfig();
if (!cfg.found) {
  console.error(
    `t2vlab: libtorch not found (looked for ${cfg.header} and ${join(cfg.libdir, 'libtorch_cpu.so')}).\n` +
      (cfg.root
        ? `LIBTORCH=${cfg.root} must contain include/ATen/ATen.h and lib/libtorch_cpu.so.`
        : 'Install it with `bash scripts/setup.sh` (apt-get install libtorch-dev libopenblas0-openmp), or set LIBTORCH to a libtorch folder.'),
  );
  process.exit(1);
}
const fp = fingerprint();
const force = process.argv.includes('--force');
if (!force && existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === fp) process.exit(0);

const gyp = [join(here, '../node_modules/node-gyp/bin/node-gyp.js'), join(here, '../node_modules/.bin/node-gyp')].find(existsSync);
const jobs = String(Math.max(1, Number(process.env.T2V_BUILD_JOBS ?? 2)));
// Build against the headers of the node that runs us (no download: this machine may be offline).
const prefix = join(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir ?? (existsSync(join(prefix, 'include/node/node_api.h')) ? prefix : null);
const gypArgs = ['rebuild', '-j', jobs, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const args = gyp ? [gyp, ...gypArgs] : null;
console.error(`t2vlab: building the native addon against ${cfg.root ?? 'the system libtorch'}${cfg.cuda ? ' (CUDA)' : ''} ...`);
const t0 = Date.now();
const r = args
  ? spawnSync(process.execPath, args, { cwd: here, stdio: 'inherit' })
  : spawnSync('npx', ['--no-install', 'node-gyp', ...gypArgs], { cwd: here, stdio: 'inherit' });
if (r.status !== 0) {
  console.error('t2vlab: native build failed (see the compiler output above).');
  process.exit(r.status ?? 1);
}
writeFileSync(stamp, fp);
console.error(`t2vlab: native addon built in ${((Date.now() - t0) / 1000).toFixed(0)} s (${statSync(out).size} bytes).`);
