// A tiny diffusion world for the `t2v train diffusion` / `t2v generate` / loadDiffusionRun tests:
// a 16-video SyncDraw set (4 frames of 32×32), stand-in folders for the autoencoder run and the
// text encoder, loaders that return the parameter-free stand-ins (src/diffusion/stand-ins.ts) and
// record what they were asked to load, and a micro DiT run trained on them.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyncDraw } from '../../../src/data/syncdraw/generator.js';
import { HashTextConditioner, PoolAutoencoder } from '../../../src/diffusion/stand-ins.js';
import { runTrainDiffusion } from '../../../src/cli/commands/train-diffusion.js';
import type { FrozenLoaders } from '../../../src/diffusion/load.js';

export interface DiffusionWorld {
  root: string;
  data: string;
  /** Stand-in autoencoder run folder (empty; the loaders build a PoolAutoencoder([2, 8, 8])). */
  ae: string;
  /** Stand-in conditioning text encoder folder (empty; the loaders build a HashTextConditioner(8, 8)). */
  text: string;
  loaders: FrozenLoaders;
  /** Every path the loaders were asked for ('ae:<run>', 'text:<dir>'). */
  loads: string[];
}

/** The AE stand-in: (1, 4, 32, 32) videos → (1, 2, 4, 4) latents. */
export const standInAe = (): PoolAutoencoder => new PoolAutoencoder([2, 8, 8]);

export async function makeWorld(prefix: string): Promise<DiffusionWorld> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const data = join(root, 'data');
  await generateSyncDraw({ out: data, splits: { train: 16, val: 4, test: 4 }, frames: 4, size: 32, seed: 5 });
  const ae = join(root, 'ae-run');
  const text = join(root, 'text-encoder');
  mkdirSync(ae);
  mkdirSync(text);
  const loads: string[] = [];
  const loaders: FrozenLoaders = {
    loadAutoencoder: async (run) => (loads.push(`ae:${run}`), standInAe()),
    loadConditioner: async (spec) => (loads.push(`${spec.kind}:${spec.dir}`), new HashTextConditioner(8, 8)),
  };
  return { root, data, ae, text, loaders, loads };
}

/** Train a micro DiT run into `out` (`extra` flags appended); returns the exit code. */
export function trainMicro(w: DiffusionWorld, out: string, extra: string[] = []): Promise<number> {
  return runTrainDiffusion(
    ['--latent', w.ae, '--denoiser', 'dit', '--data', w.data, '--out', out, '--text', w.text, '--preset', 'micro', '--steps', '40', '--seed', '1', '--quiet', ...extra],
    w.loaders,
  );
}
