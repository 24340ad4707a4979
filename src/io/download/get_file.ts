/**
 * getFile: Keras's `keras.utils.get_file` for pretrained weights. Returns the path of a cached copy of
 * `origin`, downloading it (resumably, hash-checked) only when the cache has no good copy.
 *
 * The final name only ever appears through a rename of a complete, verified `.part`, so a file under
 * the final name is always whole. An interrupted download leaves `<fname>.part` (+ `.part.json`) for the
 * next call to resume.
 */

import { createReadStream } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { ValueError } from '../../errors.js';
import { fsyncDir } from '../atomic_write.js';
import { cachePaths, checkFileName, checkOrigin, type CachePaths } from './cache_paths.js';
import { DownloadError, HashMismatchError } from './errors.js';
import { hashFile, newHasher, resolveExpectedHash, type ExpectedHash, type HashAlgorithm } from './hash.js';
import {
  BadResponse, HttpStatus, TransferInterrupted, Unreachable, httpTransfer, writeAll, type TransferResult,
} from './http_fetch.js';
import { discardPartial } from './partial.js';
import { makeProgress, type ProgressCallback, type ProgressOption } from './progress.js';

export interface GetFileOptions {
  /** Expected md5 (32 hex digits) or sha256 (64) of the file; checked on the cached copy and the download. */
  fileHash?: string;
  hashAlgorithm?: 'auto' | 'sha256' | 'md5';
  /** Subdirectory of the cache directory (default 'models'); an absolute path is used as is, as in Keras. */
  cacheSubdir?: string;
  /** Default: $CONVKIT_HOME, else ~/.convkit. */
  cacheDir?: string;
  /** true/false, or a callback; default: a progress line on stderr when stderr is a terminal. */
  progress?: boolean | ProgressCallback;
  /** Socket idle timeout in ms (default 30000): a stalled connection counts as an interruption. */
  timeoutMs?: number;
  /** How many times an interrupted transfer is resumed before giving up (default 2). */
  retries?: number;
}

/** Downloads running in this process, by final path: concurrent calls for one file share one download. */
const inflight = new Map<string, Promise<string>>();

export async function getFile(fname: string, origin: string, opts: GetFileOptions = {}): Promise<string> {
  const name = checkFileName(fname);
  const url = checkOrigin(origin);
  if (opts === null || typeof opts !== 'object') {
    throw new ValueError(`getFile: options must be an object, got ${JSON.stringify(opts)}`);
  }
  const expected = resolveExpectedHash(opts.fileHash, opts.hashAlgorithm ?? 'auto');
  const timeoutMs = opts.timeoutMs ?? 30_000;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new ValueError(`getFile: timeoutMs must be a positive number of milliseconds, got ${JSON.stringify(timeoutMs)}`);
  }
  const retries = opts.retries ?? 2;
  if (!Number.isSafeInteger(retries) || retries < 0) {
    throw new ValueError(`getFile: retries must be a non-negative integer, got ${JSON.stringify(retries)}`);
  }
  const progress = opts.progress;
  if (progress !== undefined && typeof progress !== 'boolean' && typeof progress !== 'function') {
    throw new ValueError(`getFile: progress must be a boolean or a function, got ${JSON.stringify(progress)}`);
  }
  const paths = cachePaths(name, opts.cacheDir, opts.cacheSubdir);

  const running = inflight.get(paths.final);
  if (running !== undefined) return running;
  const job = fetchIntoCache(name, url, paths, expected, { timeoutMs, retries, progress })
    .finally(() => inflight.delete(paths.final));
  inflight.set(paths.final, job);
  return job;
}

interface Settings {
  timeoutMs: number;
  retries: number;
  progress: ProgressOption;
}

async function fetchIntoCache(
  fname: string, url: URL, paths: CachePaths, expected: ExpectedHash | null, s: Settings,
): Promise<string> {
  const cached = await fsp.stat(paths.final).then((st) => st.isFile(), () => false);
  if (cached) {
    if (expected === null) return paths.final;
    if ((await hashFile(paths.final, expected.algorithm)) === expected.digest) return paths.final;
    // Keras re-downloads too; the old copy stays in place until the new one has verified.
    process.emitWarning(
      `${paths.final} does not have the expected ${expected.algorithm} hash (incomplete or outdated); downloading it again from ${url.href}`,
      { code: 'CONVKIT_CACHE_HASH_MISMATCH' },
    );
  }
  try {
    await fsp.mkdir(paths.dir, { recursive: true });
  } catch (err) {
    throw new DownloadError(
      `Cannot create the cache directory ${paths.dir} (${message(err)}); set CONVKIT_HOME or pass cacheDir`,
      { url: url.href, cachePath: paths.final, cause: err },
    );
  }
  const bar = makeProgress(fname, s.progress);
  let result: TransferResult;
  try {
    result = await transferWithRetries(url, paths, expected?.algorithm ?? null, s, bar.update);
  } finally {
    bar.done();
  }
  if (expected !== null && result.digest !== expected.digest) {
    await discardPartial(paths);
    throw new HashMismatchError(
      `The file downloaded from ${url.href} has ${expected.algorithm} ${result.digest}, expected ${expected.digest}: ` +
        `it is corrupt or changed on the server. It was deleted and nothing was cached at ${paths.final}`,
      { url: url.href, cachePath: paths.final, algorithm: expected.algorithm, expected: expected.digest, actual: result.digest ?? '' },
    );
  }
  await commit(paths);
  return paths.final;
}

async function transferWithRetries(
  url: URL, paths: CachePaths, algorithm: HashAlgorithm | null, s: Settings, onProgress: ProgressCallback,
): Promise<TransferResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      if (url.protocol === 'file:') return await copyLocal(url, paths, algorithm, onProgress);
      return await httpTransfer({ url, paths, algorithm, timeoutMs: s.timeoutMs, onProgress });
    } catch (err) {
      if (err instanceof TransferInterrupted && attempt < s.retries) {
        // A short, growing pause: an immediate reconnect after a reset usually meets the same trouble.
        await new Promise((r) => setTimeout(r, Math.min(4000, 250 * 2 ** attempt)));
        continue;
      }
      throw await toDownloadError(err, url, paths, attempt + 1);
    }
  }
}

async function toDownloadError(err: unknown, url: URL, paths: CachePaths, attempts: number): Promise<DownloadError> {
  const byHand = `Download it by hand and place it at ${paths.final}`;
  const base = { url: url.href, cachePath: paths.final, cause: err };
  if (err instanceof TransferInterrupted) {
    const kept = await fsp.stat(paths.part).then((st) => st.size > 0, () => false);
    const of = err.total === null ? 'an unknown number of' : String(err.total);
    return new DownloadError(
      `Download of ${url.href} was interrupted after ${err.received} of ${of} bytes (${err.message}; ` +
        `${attempts} attempt${attempts === 1 ? '' : 's'}). ` +
        (kept ? `The partial download is kept at ${paths.part} and the next call resumes it. ` : '') + byHand,
      { ...base, partialPath: kept ? paths.part : null },
    );
  }
  if (err instanceof Unreachable) {
    const hint = err.offline ? ' (are you offline?)' : '';
    return new DownloadError(`Cannot download ${url.href}: ${err.message}${hint}. ${byHand}`, base);
  }
  if (err instanceof HttpStatus) {
    const where = err.url === url.href ? '' : ` (after redirects, at ${err.url})`;
    return new DownloadError(`Cannot download ${url.href}: ${err.message}${where}. ${byHand}`, { ...base, status: err.status });
  }
  if (err instanceof BadResponse) return new DownloadError(`Cannot download ${url.href}: ${err.message}. ${byHand}`, base);
  // Local trouble (disk full, permissions on the cache directory…).
  return new DownloadError(`Cannot download ${url.href} into ${paths.part}: ${message(err)}. ${byHand}`, base);
}

/** file: origins are copied through the same .part → verify → rename path, so the cache rules hold. */
async function copyLocal(
  url: URL, paths: CachePaths, algorithm: HashAlgorithm | null, onProgress: ProgressCallback,
): Promise<TransferResult> {
  const src = fileURLToPath(url);
  const total = await fsp.stat(src).then((st) => st.size, (err) => {
    throw new Unreachable(`cannot read ${src}: ${message(err)}`, false, err);
  });
  const hasher = algorithm === null ? null : newHasher(algorithm);
  const fh = await fsp.open(paths.part, 'w');
  let received = 0;
  try {
    for await (const chunk of createReadStream(src) as AsyncIterable<Buffer>) {
      await writeAll(fh, chunk);
      hasher?.update(chunk);
      received += chunk.length;
      onProgress(received, total);
    }
  } finally {
    await fh.close();
  }
  await fsp.rm(paths.sidecar, { force: true });
  return { bytes: received, digest: hasher === null ? null : hasher.digest('hex') };
}

/** Makes the verified .part durable, then publishes it under the final name. */
async function commit(paths: CachePaths): Promise<void> {
  const fh = await fsp.open(paths.part, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(paths.part, paths.final);
  await fsyncDir(paths.dir);
  await fsp.rm(paths.sidecar, { force: true });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
