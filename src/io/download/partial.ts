/**
 * The kept partial download `<fname>.part` and its sidecar `<fname>.part.json`, which records what the
 * partial is a prefix of, so a later transfer can decide whether resuming it is safe.
 */

import * as fsp from 'node:fs/promises';

import type { CachePaths } from './cache_paths.js';
import type { HashAlgorithm } from './hash.js';

/** The sidecar `<fname>.part.json`: what the partial is a prefix of. */
export interface PartialInfo {
  url: string;
  etag: string | null;
  lastModified: string | null;
  totalBytes: number | null;
}

export async function discardPartial(paths: CachePaths): Promise<void> {
  await fsp.rm(paths.part, { force: true });
  await fsp.rm(paths.sidecar, { force: true });
}

async function readSidecar(path: string): Promise<PartialInfo | null> {
  try {
    const v = JSON.parse(await fsp.readFile(path, 'utf8')) as Partial<PartialInfo>;
    if (typeof v.url !== 'string') return null;
    const str = (x: unknown): string | null => (typeof x === 'string' && x !== '' ? x : null);
    const total = Number.isSafeInteger(v.totalBytes) && (v.totalBytes as number) >= 0 ? (v.totalBytes as number) : null;
    return { url: v.url, etag: str(v.etag), lastModified: str(v.lastModified), totalBytes: total };
  } catch {
    return null; // missing or damaged: the partial cannot be trusted
  }
}

/** Something must catch a file that changed between two requests: If-Range's validator, or the final hash. */
export function canResume(info: PartialInfo, algorithm: HashAlgorithm | null): boolean {
  return info.etag !== null || info.lastModified !== null || algorithm !== null;
}

/** How many bytes of the kept partial can be reused: only a partial of this URL that {@link canResume}. */
export async function resumablePartial(
  paths: CachePaths, url: string, algorithm: HashAlgorithm | null,
): Promise<{ size: number; info: PartialInfo | null }> {
  const info = await readSidecar(paths.sidecar);
  const size = await fsp.stat(paths.part).then((s) => (s.isFile() ? s.size : 0), () => 0);
  const ok = info !== null && info.url === url && size > 0
    && (info.totalBytes === null || size <= info.totalBytes) && canResume(info, algorithm);
  if (ok) return { size, info };
  await discardPartial(paths);
  return { size: 0, info: null };
}
