// A run folder as the trainer leaves it (model/task.json + model/ae.safetensors), for tests.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../../src/io/atomic.js';
import { saveTensors } from '../../../src/io/tensors.js';
import type { AeTask } from '../../../src/models/ae/wae-task.js';

/** Write `<dir>/model/task.json` ({kind, ...describe()}) and the AE weights (keys prefixed 'ae.' when asked). */
export function writeRun(dir: string, task: AeTask, opts: { prefixed?: boolean } = {}): void {
  mkdirSync(join(dir, 'model'), { recursive: true });
  writeJsonAtomic(join(dir, 'model', 'task.json'), { kind: task.kind, ...task.describe() });
  const sd = task.ae.stateDict(opts.prefixed ? 'ae' : '');
  try {
    saveTensors(join(dir, 'model', 'ae.safetensors'), sd);
  } finally {
    for (const t of sd.values()) t.dispose();
  }
}
