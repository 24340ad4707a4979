/**
 * Atomic file replacement: readers of `path` see either the old file or the complete new one,
 * never a partly written file, even if the process dies mid-write.
 *
 * Procedure (both variants): write the data to a fresh temp file in the same directory
 * (`.<name>.tmp-<pid>-<random hex>`, created exclusively), fsync it, rename it over `path`
 * (atomic on POSIX within one file system), then fsync the directory so the rename itself is
 * durable (best effort: some platforms/file systems do not allow opening a directory). On any
 * failure the temp file is removed and the error is rethrown with the target path in the message.
 *
 * Notes: the new file gets default permissions (0o666 minus umask), not the old file's mode;
 * if `path` is a symbolic link, the link itself is replaced by a regular file.
 */

import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';

import { ValueError } from '../errors.js';

interface Target {
  path: string;
  dir: string;
  tmp: string;
}

function planTarget(path: string): Target {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ValueError(`writeFileAtomic: path must be a non-empty string, got ${JSON.stringify(path)}`);
  }
  const abs = resolve(path);
  const name = basename(abs);
  if (name === '' || /[\\/]$/.test(path)) {
    throw new ValueError(`Cannot write ${path}: the path names a directory, expected a file path`);
  }
  const dir = dirname(abs);
  const tmp = join(dir, `.${name}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  return { path, dir, tmp };
}

function toBytes(data: Uint8Array | string): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return data;
  throw new ValueError(`writeFileAtomic: data must be a Uint8Array or a string, got ${typeof data}`);
}

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function missingDirError(t: Target): ValueError {
  return new ValueError(`Cannot write ${t.path}: directory ${t.dir} does not exist`);
}

function notDirError(t: Target): ValueError {
  return new ValueError(`Cannot write ${t.path}: ${t.dir} is not a directory`);
}

/** Turns a low-level fs error into one that names the target path (keeps `code` and `cause`). */
function wrapError(t: Target, err: unknown): Error {
  if (err instanceof ValueError) return err;
  const code = errCode(err);
  if (code === 'ENOENT') return missingDirError(t);
  if (code === 'ENOTDIR') return notDirError(t);
  let reason: string;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    reason = `directory ${t.dir} is not writable (${code})`;
  } else if (code === 'EISDIR') {
    reason = `${t.path} is a directory (EISDIR)`;
  } else {
    reason = err instanceof Error ? err.message : String(err);
  }
  const wrapped = new Error(`Cannot write ${t.path}: ${reason}`, { cause: err });
  if (code !== undefined) (wrapped as Error & { code?: string }).code = code;
  return wrapped;
}

function checkDirSync(t: Target): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(t.dir);
  } catch (err) {
    throw wrapError(t, err);
  }
  if (!st.isDirectory()) throw notDirError(t);
}

async function checkDir(t: Target): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fsp.stat(t.dir);
  } catch (err) {
    throw wrapError(t, err);
  }
  if (!st.isDirectory()) throw notDirError(t);
}

function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Best effort: opening/fsyncing a directory is not supported everywhere (e.g. Windows).
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* ignore */
      }
    }
  }
}

/** Makes a rename in `dir` durable (best effort). */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // Best effort, see fsyncDirSync.
  } finally {
    if (fh !== undefined) await fh.close().catch(() => undefined);
  }
}

/** Writes `data` to `path` atomically (see module doc). Strings are written as UTF-8. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const t = planTarget(path);
  const bytes = toBytes(data);
  await checkDir(t);
  let fh: fsp.FileHandle | undefined;
  let tmpCreated = false;
  try {
    fh = await fsp.open(t.tmp, 'wx', 0o666);
    tmpCreated = true;
    let off = 0;
    while (off < bytes.byteLength) {
      const { bytesWritten } = await fh.write(bytes, off, bytes.byteLength - off);
      off += bytesWritten;
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fsp.rename(t.tmp, t.path);
    tmpCreated = false;
  } catch (err) {
    if (fh !== undefined) await fh.close().catch(() => undefined);
    if (tmpCreated) await fsp.unlink(t.tmp).catch(() => undefined);
    throw wrapError(t, err);
  }
  await fsyncDir(t.dir);
}

/** Synchronous twin of {@link writeFileAtomic}. */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  const t = planTarget(path);
  const bytes = toBytes(data);
  checkDirSync(t);
  let fd: number | undefined;
  let tmpCreated = false;
  try {
    fd = fs.openSync(t.tmp, 'wx', 0o666);
    tmpCreated = true;
    let off = 0;
    while (off < bytes.byteLength) {
      off += fs.writeSync(fd, bytes, off, bytes.byteLength - off);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(t.tmp, t.path);
    tmpCreated = false;
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* ignore */
      }
    }
    if (tmpCreated) {
      try {
        fs.unlinkSync(t.tmp);
      } catch {
        /* ignore */
      }
    }
    throw wrapError(t, err);
  }
  fsyncDirSync(t.dir);
}

/**
 * Removes temp files that atomic writes of `path` left behind when their process was killed
 * (`.<name>.tmp-<pid>-<hex>` whose pid is no longer running). Best effort.
 */
export async function removeStaleTemps(path: string): Promise<void> {
  const abs = resolve(path);
  const prefix = `.${basename(abs)}.tmp-`;
  let names: string[];
  try {
    names = await fsp.readdir(dirname(abs));
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const pid = Number(n.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    await fsp.unlink(join(dirname(abs), n)).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) === 'EPERM';
  }
}
