/**
 * Graceful interruption of long commands (training): the first SIGINT/SIGTERM asks the job to
 * stop after its current step with a checkpoint; a second SIGINT exits at once.
 */

/** Run `fn` with an AbortSignal fired by the first SIGINT/SIGTERM; a second SIGINT exits at once. */
export async function withInterrupt<R>(fn: (signal: AbortSignal) => Promise<R>): Promise<R> {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (ac.signal.aborted && sig === 'SIGINT') process.exit(130);
    process.stderr.write(`\n${sig}: stopping after this step with a checkpoint (Ctrl-C again to quit at once)\n`);
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
