// A rank of the loopback collective tests (spawned by process-group.test.ts): runs one scenario
// and prints one JSON line with what it saw.
import * as T from '../../src/tensor/index.js';
import { ProcessGroup } from '../../src/dist/process-group.js';
import { syncGradients, broadcastTensors, broadcastRngState, meanAcrossRanks } from '../../src/dist/grad-sync.js';

const scenario = process.argv[2] ?? 'collectives';
T.setNumThreads(1);
const pg = ProcessGroup.fromEnv();
const out: Record<string, unknown> = { rank: pg.rank };
try {
  if (scenario === 'collectives') {
    const s = T.tensor([pg.rank + 1, 10 * (pg.rank + 1)]);
    pg.allReduce([s], 'sum');
    out.sum = s.toArray();
    const a = T.tensor([pg.rank + 1]);
    pg.allReduce([a], 'avg');
    out.avg = a.toArray();
    const m = T.tensor([pg.rank * 3]);
    pg.allReduce([m], 'max');
    out.max = m.toArray();
    const b = T.tensor([pg.rank === 1 ? 42 : -1, 7]);
    pg.broadcast([b], 1);
    out.broadcast = b.toArray();
    const g = pg.allGather(T.tensor([pg.rank, pg.rank * pg.rank]));
    out.gather = g.map((t) => t.toArray());
    pg.barrier();
    out.ok = true;
  } else if (scenario === 'grads') {
    // Three parameters, buckets of at most 16 bytes (so several buckets); rank r's grads are r+1 times a base.
    const ps = [T.zeros([3]), T.zeros([2, 2]), T.zeros([5])].map((p) => p.requiresGrad_(true));
    const loss = T.tidy(() => ps.map((p, i) => p.sum().mul(T.scalar((pg.rank + 1) * (i + 1)))).reduce((a, b) => a.add(b)));
    loss.backward();
    syncGradients(pg, ps, { bucketBytes: 16 });
    out.grads = ps.map((p) => p.grad!.toArray());
    const w = T.tensor([pg.rank, pg.rank]);
    broadcastTensors(pg, [w]);
    out.params = w.toArray();
    if (pg.rank === 0) T.manualSeed(123);
    else T.manualSeed(999);
    broadcastRngState(pg);
    out.draw = T.rand([2]).toArray();
    out.mean = meanAcrossRanks(pg, { loss: pg.rank * 2, acc: 1 });
  } else if (scenario === 'die') {
    // rank 1 exits abruptly after the rendezvous; rank 0's next collective must fail, not hang.
    pg.barrier();
    if (pg.rank === 1) process.kill(process.pid, 'SIGKILL');
    const t0 = Date.now();
    try {
      const x = T.ones([4]);
      for (let i = 0; i < 1000; i++) pg.allReduce([x], 'sum');
      out.error = null;
    } catch (e) {
      out.error = (e as Error).message;
    }
    out.seconds = (Date.now() - t0) / 1000;
  }
} finally {
  process.stdout.write(JSON.stringify(out) + '\n');
  pg.destroy();
}
