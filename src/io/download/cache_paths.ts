/** Where getFile keeps its files, and the checks on the names and URLs it is given. */

import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

import { ValueError } from '../../errors.js';

export interface CachePaths {
  dir: string;
  /** The finished, verified file: only ever created by a rename, so it is never partial. */
  final: string;
  /** The download in progress; kept after an interrupted transfer so the next call can resume. */
  part: string;
  /** What the partial came from (URL, ETag, Last-Modified, size; see http_fetch.ts), to decide whether resuming is safe. */
  sidecar: string;
}

/** Checks that `fname` names a file directly inside the cache directory (no path tricks). */
export function checkFileName(fname: unknown): string {
  if (typeof fname !== 'string' || fname.length === 0) {
    throw new ValueError(`getFile: fname must be a non-empty file name, got ${JSON.stringify(fname)}`);
  }
  if (/[\\/\0]/.test(fname) || fname === '.' || fname === '..') {
    throw new ValueError(
      `getFile: fname must be a plain file name without path separators or '..', got ${JSON.stringify(fname)}`,
    );
  }
  return fname;
}

const PROTOCOLS = ['http:', 'https:', 'file:'];

export function checkOrigin(origin: unknown): URL {
  let url: URL | null = null;
  if (typeof origin === 'string') {
    try {
      url = new URL(origin);
    } catch {
      url = null;
    }
  }
  if (url === null || !PROTOCOLS.includes(url.protocol)) {
    throw new ValueError(
      `getFile: origin must be an absolute http:, https: or file: URL, got ${JSON.stringify(origin)}`,
    );
  }
  return url;
}

/** $CONVKIT_HOME, else ~/.convkit (Keras uses $KERAS_HOME, else ~/.keras). */
export function defaultCacheDir(): string {
  const env = process.env.CONVKIT_HOME;
  return env !== undefined && env !== '' ? env : join(homedir(), '.convkit');
}

/**
 * `cacheSubdir` is relative to the cache directory, or absolute (as in Keras, the file then goes exactly
 * there). A relative one may not climb out with '..'.
 */
export function cachePaths(fname: string, cacheDir: unknown, cacheSubdir: unknown): CachePaths {
  if (cacheDir !== undefined && (typeof cacheDir !== 'string' || cacheDir === '')) {
    throw new ValueError(`getFile: cacheDir must be a non-empty string, got ${JSON.stringify(cacheDir)}`);
  }
  const sub = cacheSubdir ?? 'models';
  if (typeof sub !== 'string') {
    throw new ValueError(`getFile: cacheSubdir must be a string, got ${JSON.stringify(cacheSubdir)}`);
  }
  if (!isAbsolute(sub) && sub.split(/[\\/]/).includes('..')) {
    throw new ValueError(`getFile: cacheSubdir must not contain '..', got ${JSON.stringify(sub)}`);
  }
  const dir = resolve(cacheDir ?? defaultCacheDir(), sub);
  const final = join(dir, fname);
  return { dir, final, part: `${final}.part`, sidecar: `${final}.part.json` };
}
