/**
 * Crash-safe file writes: write a temporary sibling, fsync it, rename it over the target and
 * fsync the directory, so a reader sees either the old file or the complete new one, never a
 * torn write (the POSIX rename(2) atomicity guarantee; same recipe as e.g. npm's
 * `write-file-atomic`).
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Write `data` to `path` atomically.
 *
 * Writes `path + '.tmp-<pid>-<random>'` in the same directory (so the rename never crosses a
 * file system), fsyncs it, renames it over `path`, then fsyncs the directory so the rename itself
 * is durable. Parent directories are created. On any error the temporary file is removed and the
 * error is rethrown; `path` is then untouched. A string is written as UTF-8; an array of chunks
 * is written back to back (no concatenated copy is made).
 */
export function writeFileAtomic(path: string, data: Uint8Array | string | Uint8Array[]): void {
  const target = resolve(path);
  const dir = dirname(target);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${basename(target)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const chunks: Uint8Array[] =
    typeof data === 'string' ? [Buffer.from(data, 'utf8')] : Array.isArray(data) ? data : [data];
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    for (const chunk of chunks) writeAll(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file may never have been created
    }
    throw err;
  }
  fsyncDirectory(dir);
}

/**
 * Write `value` as pretty-printed JSON (2-space indent, trailing newline) via
 * {@link writeFileAtomic}. Throws a TypeError for values JSON cannot represent (undefined,
 * functions, symbols at top level).
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) {
    throw new TypeError(`writeJsonAtomic(${path}): value of type ${typeof value} cannot be written as JSON`);
  }
  writeFileAtomic(path, text + '\n');
}

/** writeSync may write fewer bytes than asked (and at most ~2 GiB per call): loop until done. */
function writeAll(fd: number, chunk: Uint8Array): void {
  const MAX = 1 << 30;
  let off = 0;
  while (off < chunk.byteLength) {
    const n = writeSync(fd, chunk, off, Math.min(MAX, chunk.byteLength - off));
    if (n <= 0) throw new Error(`writeFileAtomic: write returned ${n} at byte ${off}`);
    off += n;
  }
}

/**
 * Make a completed rename durable (POSIX: the directory entry lives in the directory). Windows
 * cannot open a directory for fsync, and there the rename is already as durable as it gets.
 */
function fsyncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (err) {
    // Some file systems (certain network/FUSE mounts) do not support fsync on a directory; the
    // rename has already happened, so only a real I/O error is worth reporting.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EISDIR') throw err;
  } finally {
    closeSync(fd);
  }
}
