/**
 * Pre-encoded latents for a diffusion run: the `t2v ae encode` file of a split, read into the
 * task's latent cache so that training starts on cached latents instead of encoding every video
 * through the frozen autoencoder during the first epoch (latent diffusion code bases precompute
 * their latents the same way; the autoencoder is frozen and deterministic, so the values are
 * E(video) up to floating-point summation order).
 *
 * The file (written by `encodeSplit`, src/cli/commands/ae.ts): tensor `latents` (N, ...latent)
 * float32 and metadata { format: 't2vlab-latents', run, split, ids (JSON), aeSha256 }. It is
 * refused unless it was made by the same autoencoder run (same folder, and the same weights
 * file bytes when both sides have a digest) with the latent shape the run trains on.
 *
 * @example
 *   const rows = readLatentsFile('runs/v64-train.safetensors', { aeRun: 'runs/v64', latentShape: [16, 5, 8, 8] });
 *   task.preloadLatents(rows.latents);   // Map id → Float32Array(5120)
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readSafetensors } from '../io/safetensors.js';
import { aeWeightsPath } from '../models/ae/index.js';

export const LATENTS_FORMAT = 't2vlab-latents';

/** Hex SHA-256 of the run's weights file, or null when the run has none (stand-in runs in tests). */
export function aeWeightsDigest(aeRun: string): string | null {
  const p = aeWeightsPath(aeRun);
  return existsSync(p) ? createHash('sha256').update(readFileSync(p)).digest('hex') : null;
}

export interface LatentsFile {
  /** Video id → its raw latent E(video), flattened (prod(latentShape) values). */
  latents: Map<string, Float32Array>;
  split: string;
  /** The dataset folder the videos came from (absolute), or null when the file does not say. */
  data: string | null;
  path: string;
}

/** A latents file that cannot serve this run; the message says why and what to do. */
export class LatentsFileError extends Error {
  constructor(path: string, what: string) {
    super(`latents file '${path}': ${what}`);
    this.name = 'LatentsFileError';
  }
}

/**
 * Read and check a `t2v ae encode` file against the run: the autoencoder run it came from
 * (folder, and weights digest when the file and the run both have one) and the latent shape.
 */
export function readLatentsFile(path: string, expect: { aeRun: string; latentShape: readonly number[] }): LatentsFile {
  const remake = `make it with \`t2v ae encode --run ${expect.aeRun} --split train --out FILE\``;
  if (!existsSync(path)) throw new LatentsFileError(path, `does not exist; ${remake}`);
  let file: ReturnType<typeof readSafetensors>;
  try {
    file = readSafetensors(path);
  } catch (err) {
    throw new LatentsFileError(path, `cannot be read (${(err as Error).message}); ${remake}`);
  }
  const { tensors, metadata } = file;
  if (metadata['format'] !== LATENTS_FORMAT) throw new LatentsFileError(path, `is not a t2vlab latents file (format '${metadata['format'] ?? 'none'}'); ${remake}`);
  const run = metadata['run'];
  if (run === undefined || resolve(run) !== resolve(expect.aeRun)) {
    throw new LatentsFileError(path, `was encoded with the autoencoder run '${run ?? 'unknown'}', but this run trains in '${expect.aeRun}'; ${remake}`);
  }
  const fileDigest = metadata['aeSha256'];
  const digest = fileDigest !== undefined ? aeWeightsDigest(expect.aeRun) : null; // read the weights only when there is something to compare
  if (digest !== null && fileDigest !== undefined && fileDigest !== digest) {
    throw new LatentsFileError(path, `was encoded with other weights of '${expect.aeRun}' (its model/ae.safetensors changed since: SHA-256 ${fileDigest.slice(0, 12)}… then, ${digest.slice(0, 12)}… now); ${remake}`);
  }
  const z = tensors.get('latents');
  if (!z) throw new LatentsFileError(path, `has no 'latents' tensor (it has: ${[...tensors.keys()].join(', ') || 'none'}); ${remake}`);
  if (z.dtype !== 'F32') throw new LatentsFileError(path, `'latents' is ${z.dtype}, expected F32; ${remake}`);
  const [n, ...shape] = z.shape;
  if (shape.length !== expect.latentShape.length || shape.some((d, i) => d !== expect.latentShape[i])) {
    throw new LatentsFileError(path, `holds latents of shape [${shape.join(', ')}] but the autoencoder makes [${expect.latentShape.join(', ')}] for this data; encode the same dataset's clips`);
  }
  let ids: unknown;
  try {
    ids = JSON.parse(metadata['ids'] ?? 'null');
  } catch {
    ids = null;
  }
  if (!Array.isArray(ids) || ids.length !== n || !ids.every((id) => typeof id === 'string')) {
    throw new LatentsFileError(path, `its metadata 'ids' must list ${n} video ids, one per latent; ${remake}`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const all = new Float32Array(z.data.buffer.slice(z.data.byteOffset, z.data.byteOffset + z.data.byteLength)); // (N·size)
  const latents = new Map<string, Float32Array>();
  (ids as string[]).forEach((id, i) => latents.set(id, all.subarray(i * size, (i + 1) * size)));
  const data = metadata['data'];
  return { latents, split: metadata['split'] ?? 'unknown', data: data !== undefined ? resolve(data) : null, path };
}
