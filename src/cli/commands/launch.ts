/**
 * `t2v launch`: data-parallel training across processes (and machines) on c10d, in the torchrun
 * convention. `t2v` as the first word of the worker command runs this same CLI.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseFlags, UsageError, type Command } from '../command.js';

const usage = `usage: t2v launch --nproc N [--nnodes M --node-rank R --master HOST:PORT] -- t2v train ...

Starts N worker processes of the command after '--' with RANK, WORLD_SIZE, LOCAL_RANK,
MASTER_ADDR and MASTER_PORT set (torchrun's convention). Workers rendezvous through a TCPStore
on rank 0 and average gradients with Gloo (NCCL on a CUDA libtorch).

options:
  --nproc N          workers on this node                                  [1]
  --nnodes M         nodes in the job                                      [1]
  --node-rank R      this node's index (0 hosts the rendezvous)            [0]
  --master HOST:PORT rendezvous address (required when --nnodes > 1)       [127.0.0.1:free port]
  --threads T        compute threads per worker                            [cores / nproc]

environment: T2V_DIST_TIMEOUT_MS (collective and rendezvous timeout, default 60000),
GLOO_SOCKET_IFNAME (network interface for Gloo).`;

export const commands: Command[] = [
  {
    path: ['launch'],
    summary: 'run a training command data-parallel over N processes (c10d, torchrun convention)',
    usage,
    async run(argv) {
      const sep = argv.indexOf('--');
      if (sep < 0) throw new UsageError("give the worker command after '--', e.g. t2v launch --nproc 2 -- t2v train ae ...");
      const { flags } = parseFlags(argv.slice(0, sep), {
        nproc: { type: 'number', default: 1 },
        nnodes: { type: 'number', default: 1 },
        'node-rank': { type: 'number', default: 0 },
        master: { type: 'string' },
        threads: { type: 'number' },
      });
      let command = argv.slice(sep + 1);
      if (command[0] === 't2v') {
        const bin = join(dirname(fileURLToPath(import.meta.url)), '../../../../bin/t2v.js');
        command = [process.execPath, bin, ...command.slice(1)];
      }
      let masterAddr = '127.0.0.1';
      let masterPort: number | null = null;
      if (typeof flags.master === 'string') {
        const m = /^(.+):(\d+)$/.exec(flags.master);
        if (!m) throw new UsageError(`--master must be HOST:PORT, got '${flags.master}'`);
        masterAddr = m[1]!;
        masterPort = Number(m[2]);
      }
      const { launch } = await import('../../dist/launch.js');
      return launch({
        nproc: Number(flags.nproc), nnodes: Number(flags.nnodes), nodeRank: Number(flags['node-rank']),
        masterAddr, masterPort, command,
        ...(flags.threads !== undefined ? { threadsPerProc: Number(flags.threads) } : {}),
      });
    },
  },
];
