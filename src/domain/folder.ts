/**
 * Model folders of the domain models (the text–video model and the attribute probe): a
 * `config.json` (architecture, data set, seed, training figures), a `model.safetensors` with
 * PyTorch-style keys, and the files each model adds (`vocab.json`). `config.json` is written last,
 * so a folder without it is an unfinished training run.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A problem with what the user asked for (data set, output folder, resume); the CLI prints the message only. */
export class TrainInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainInputError';
  }
}

/** Throw an error naming the missing files of a model folder and the command that makes them. */
export function requireFiles(dir: string, files: readonly string[], what: string, command: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`${what} folder '${dir}' does not exist; train one with \`${command}\` or pass the right folder`);
  }
  const missing = files.filter((f) => !existsSync(join(dir, f)));
  if (missing.length === 0) return;
  const partial = existsSync(join(dir, 'checkpoint.safetensors')) ? ' (it holds a training checkpoint: the run was interrupted; run the same command again to resume it)' : '';
  throw new Error(`${what} folder '${dir}' lacks ${missing.join(', ')}${partial}; make it with \`${command}\``);
}

/** Parse `config.json` and check its `format` and `version`. */
export function readConfig<C>(dir: string, format: string): C {
  const path = join(dir, 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`'${path}' is not valid JSON (${(err as Error).message}); the folder is damaged: train it again`);
  }
  const r = raw as { format?: unknown; version?: unknown };
  if (typeof raw !== 'object' || raw === null || r.format !== format) {
    throw new Error(`'${path}' is not a ${format} config (format is ${JSON.stringify(r?.format)}); pass a folder made by the matching \`t2v train\` command`);
  }
  if (r.version !== 1) throw new Error(`'${path}': version ${JSON.stringify(r.version)} is not supported (this t2vlab reads version 1)`);
  return raw as C;
}

/** The basename of a folder path, ignoring trailing slashes ('runs/domain-s0/' → 'domain-s0'). */
export function folderName(dir: string): string {
  const parts = dir.replace(/[\\/]+$/, '').split(/[\\/]/);
  return parts[parts.length - 1] || dir;
}
