import type { Command } from './command.js';

/**
 * Every sub-command of `t2v`. Each module under `commands/` exports its commands; add them here.
 * Loaded lazily so that `t2v --help` does not load the engine.
 */
export const COMMAND_LOADERS: ReadonlyArray<() => Promise<readonly Command[]>> = [
  async () => (await import('./commands/demo.js')).commands,
  async () => (await import('./commands/data-syncdraw.js')).commands,
  async () => (await import('./commands/data-import.js')).commands,
  async () => (await import('./commands/data-export.js')).commands,
  async () => (await import('./commands/eval.js')).commands,
  async () => (await import('./commands/launch.js')).commands,
  async () => (await import('./commands/train-ae.js')).commands,
  async () => (await import('./commands/train-align.js')).commands,
  async () => (await import('./commands/train-diffusion.js')).commands,
  async () => (await import('./commands/generate.js')).commands,
  async () => (await import('./commands/report.js')).commands,
  async () => (await import('./commands/train-domain.js')).commands,
  async () => (await import('./commands/ae.js')).commands,
  async () => (await import('./commands/study.js')).commands,
];
