/**
 * Where pretrained models live — the one place that says so (after transformers.js `env`).
 *
 * t2vlab never downloads: pretrained extractors (CLIP, I3D, DINO, …) are folders that the user
 * copies onto the machine. A command finds a model folder, in this order:
 *   1. the command's flag (e.g. `t2v eval --clip /path/to/clip-vit-base-patch32`);
 *   2. `<modelsDir>/<name>`, where `modelsDir` is `$T2V_MODELS`, else `~/.t2vlab/models`.
 *
 * @example
 *   // $ export T2V_MODELS=/data/models   (holding /data/models/clip-vit-base-patch32/)
 *   import { env, resolveModelDir } from './env.js';
 *   env.modelsDir;                                               // '/data/models'
 *   resolveModelDir(undefined, 'clip-vit-base-patch32');          // '/data/models/clip-vit-base-patch32'
 *   resolveModelDir('/tmp/my-clip', 'clip-vit-base-patch32');     // '/tmp/my-clip' (the flag wins)
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface T2vEnv {
  /** Folder of model folders (`$T2V_MODELS`, default `~/.t2vlab/models`). May be reassigned. */
  modelsDir: string;
  /** Always false: no code path fetches weights; missing files raise errors that say how to get them. */
  readonly allowDownloads: false;
}

export const env: T2vEnv = {
  modelsDir: process.env['T2V_MODELS'] || join(homedir(), '.t2vlab', 'models'),
  allowDownloads: false,
};

/**
 * The folder of model `name`: `flag` when given (resolved against the working directory), else
 * `<env.modelsDir>/<name>` when it exists; otherwise an error naming the flag and `T2V_MODELS`.
 *
 * @param flag the command-line value, if the user passed one
 * @param name the folder name under the models folder, e.g. 'clip-vit-base-patch32'
 * @param flagName how the flag is spelled in the error (default '--model')
 */
export function resolveModelDir(flag: string | undefined, name: string, flagName = '--model'): string {
  if (flag !== undefined && flag !== '') return resolve(flag);
  const dir = join(env.modelsDir, name);
  if (existsSync(dir)) return dir;
  throw new Error(
    `model folder '${name}' not found: pass it with ${flagName} DIR, or put it at ${dir} ` +
      `(the models folder is $T2V_MODELS, now ${env.modelsDir}; default ~/.t2vlab/models). t2vlab never downloads models.`,
  );
}
