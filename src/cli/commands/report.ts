/**
 * `t2v report --study DIR`: re-render `DIR/report.html` from the study folder's files
 * (results.json, the assets it names, each run's log.jsonl); nothing is recomputed.
 */
import { existsSync, statSync } from 'node:fs';
import { UsageError, parseFlags, type Command } from '../command.js';
import { StudyResultsError, writeReport } from '../../study/report/index.js';

const USAGE = `usage: t2v report --study DIR

Re-render DIR/report.html from the study folder's files: results.json (validated against
schemas/study-results.schema.json), the sample grids, latent plots and curve files it names,
and each run's log.jsonl. The page is self-contained: open it from disk in any browser.
  --study DIR    a study folder written by \`t2v study\``;

const reportCommand: Command = {
  path: ['report'],
  summary: 're-render a study folder\'s report.html from its files',
  usage: USAGE,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, { study: { type: 'string', required: true } });
    if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'; pass the folder with --study DIR`);
    const dir = flags.study as string;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--study ${dir}: no such folder; pass the --out folder of a \`t2v study\` run`);
    try {
      const out = await writeReport(dir);
      process.stdout.write(`wrote ${out}\n`);
      return 0;
    } catch (err) {
      if (err instanceof StudyResultsError) {
        process.stderr.write(`t2v report: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  },
};

/** `t2v report`, for the registry. */
export const commands: Command[] = [reportCommand];
