// Child process of the resume test: one tiny training run, settings as JSON in argv[2]:
// {"data": DIR, "out": RUN, "train": {...config.train overrides}, "resume": bool, "sleepMs": N}.
import { train } from '../../src/train/trainer.js';
import { TinyTask, tinyConfig } from './tiny-task.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { data: string; out: string; train?: Record<string, unknown>; resume?: boolean; sleepMs?: number };
const cfg = tinyConfig(args.data, args.train ?? {});
const r = await train(() => new TinyTask({ lr: cfg.train.lr, ema: cfg.train.ema !== null, sleepMs: args.sleepMs ?? 0 }), {
  config: cfg,
  runDir: args.out,
  resume: args.resume ?? false,
  progress: null,
});
process.stdout.write(JSON.stringify({ step: r.step, completed: r.completed }) + '\n');
