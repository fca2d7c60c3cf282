/**
 * Process-wide engine settings: seeds and RNG state, thread count, devices, versions.
 *
 * Threads default to the number of cores; set `T2V_THREADS` to override (applied when the
 * engine loads).
 */
import { availableParallelism } from 'node:os';
import { native } from './native.js';
import { Tensor } from './tensor.js';

/** Seed libtorch's default CPU generator (and CUDA's, in a CUDA build). */
export function manualSeed(seed: number): void {
  native.manualSeed(seed);
}

/** The CPU generator's full state as a uint8 tensor (for checkpoints). */
export function getRngState(): Tensor {
  return new Tensor(native.getRngState());
}

export function setRngState(state: Tensor): void {
  native.setRngState(state.handle);
}

export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}

export function getNumThreads(): number {
  return native.getNumThreads();
}

export function cudaAvailable(): boolean {
  return native.cudaAvailable();
}

/** libtorch version and build configuration (written into every run folder). */
export function engineVersion(): { torch: string; config: string; parallel: string } {
  return native.version();
}

/** The thread count chosen from T2V_THREADS or the core count. */
export function defaultThreads(): number {
  const env = process.env.T2V_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new Error(`T2V_THREADS must be a positive integer, got '${env}'`);
    return n;
  }
  return availableParallelism();
}

native.setNumThreads(defaultThreads());
