#!/usr/bin/env node
// Entry point of the `t2v` command: runs the compiled CLI (build with `npm run build`).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`t2v: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.T2V_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = 1;
  },
);
