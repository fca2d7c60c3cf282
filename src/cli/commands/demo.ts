/**
 * `t2v demo engine`: the engine demo of the README — trains a small conv net on a synthetic
 * task (classify whether a bright square sits in the left or right half of a noisy image),
 * printing loss, accuracy and throughput.
 */
import { parseFlags, type Command } from '../command.js';

const usage = `usage: t2v demo engine [--steps 300] [--batch 64] [--seed 0]

Trains a small conv net on synthetic images and prints loss and throughput.`;

export const commands: Command[] = [
  {
    path: ['demo', 'engine'],
    summary: 'train a small conv net on synthetic data (engine demo)',
    usage,
    async run(argv) {
      const { flags } = parseFlags(argv, {
        steps: { type: 'number', default: 300 },
        batch: { type: 'number', default: 64 },
        seed: { type: 'number', default: 0 },
      });
      const { runEngineDemo } = await import('../../demo/engine-demo.js');
      const r = runEngineDemo({ steps: Number(flags.steps), batch: Number(flags.batch), seed: Number(flags.seed), log: (s) => process.stdout.write(s + '\n') });
      process.stdout.write(JSON.stringify(r) + '\n');
      return r.finalAccuracy >= 0.9 ? 0 : 1;
    },
  },
];
