// One rank of the all-reduce bandwidth benchmark (bench/ddp.ts): averages a buffer of
// T2V_BENCH_MB megabytes `iters` times and rank 0 prints the median seconds per all-reduce.
import * as T from '../src/tensor/index.js';
import { ProcessGroup } from '../src/dist/process-group.js';

const mb = Number(process.env.T2V_BENCH_MB ?? 100);
const iters = Number(process.env.T2V_BENCH_ITERS ?? 5);
const pg = ProcessGroup.fromEnv();
const x = T.ones([Math.round((mb * 1e6) / 4)]); // (N) float32, mb megabytes
pg.allReduce([x], 'sum'); // warm-up (connections, buffers)
const times: number[] = [];
for (let i = 0; i < iters; i++) {
  pg.barrier();
  const t0 = performance.now();
  pg.allReduce([x], 'avg');
  times.push((performance.now() - t0) / 1000);
}
times.sort((a, b) => a - b);
if (pg.rank === 0) process.stdout.write(JSON.stringify({ seconds: times[Math.floor(times.length / 2)], bytes: x.numel * 4, world: pg.worldSize }) + '\n');
x.dispose();
pg.destroy();
