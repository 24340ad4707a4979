/**
 * Checks, before a long training run starts, that a directory it will write into (checkpoints,
 * backups, the CLI's output) can be created and written, so a bad path fails in the first second
 * rather than after the first epoch.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ValueError } from '../errors.js';

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** The nearest existing ancestor of `dir` (itself included) that is not a directory, if any. */
async function fileInTheWay(dir: string): Promise<string | null> {
  for (let p = resolve(dir); ; p = dirname(p)) {
    try {
      return (await stat(p)).isDirectory() ? null : p;
    } catch {
      if (dirname(p) === p) return null;
    }
  }
}

/** Why `err` stopped us writing in `dir`, in words. */
export async function describeWriteFailure(dir: string, err: unknown): Promise<string> {
  const code = errCode(err);
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    const file = await fileInTheWay(dir);
    if (file !== null) return `${file} is a file, not a directory`;
  }
  if (code === 'ENOENT') return `directory ${dir} does not exist`;
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
  if (code === 'EROFS') return 'the file system is read-only (EROFS)';
  if (code === 'ENOSPC') return 'no space left on the device (ENOSPC)';
  return err instanceof Error ? err.message : String(err);
}

/** Creates `dir` (and its parents) and writes and removes a probe file in it; throws a ValueError naming `dir` and the reason. */
export async function ensureWritableDir(dir: string, what: string): Promise<void> {
  const fail = async (err: unknown, doing: string): Promise<never> => {
    const e = new ValueError(`${what}: cannot ${doing} ${JSON.stringify(dir)}: ${await describeWriteFailure(dir, err)}; expected a directory this process can create and write`);
    (e as Error).cause = err;
    throw e;
  };
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    await fail(err, 'create the directory');
  }
  const probe = join(dir, `.convkit-write-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
  } catch (err) {
    await fail(err, 'write in the directory');
  }
  await unlink(probe).catch(() => undefined);
}
