/**
 * One HTTP(S) transfer into `<fname>.part`, resuming a kept partial with Range/If-Range when that is
 * safe. Failures are thrown as the internal kinds below; get_file.ts decides what is retried and turns
 * them into DownloadError messages that name the cache path.
 */

import * as http from 'node:http';
import * as https from 'node:https';
import * as fsp from 'node:fs/promises';
import type { Hash } from 'node:crypto';

import { feedFile, newHasher, type HashAlgorithm } from './hash.js';
import { canResume, discardPartial, resumablePartial, type PartialInfo } from './partial.js';
import type { CachePaths } from './cache_paths.js';
import type { ProgressCallback } from './progress.js';

export const MAX_REDIRECTS = 5;
const REDIRECTS = [301, 302, 303, 307, 308];

/** The connection broke or went idle mid-way: worth retrying, resuming from `received` bytes. */
export class TransferInterrupted extends Error {
  constructor(reason: string, readonly received: number, readonly total: number | null, cause?: unknown) {
    super(reason, { cause });
  }
}

/** No connection could be made. `offline` for refused/DNS/unreachable-network errors. Not retried. */
export class Unreachable extends Error {
  constructor(reason: string, readonly offline: boolean, cause?: unknown) {
    super(reason, { cause });
  }
}

/** The server answered with an error status. Not retried. */
export class HttpStatus extends Error {
  constructor(readonly status: number, readonly url: string, statusText: string) {
    super(`the server answered HTTP ${status}${statusText ? ` ${statusText}` : ''}`);
  }
}

/** The server broke the protocol (redirect loop, bad Location, more bytes than announced). Not retried. */
export class BadResponse extends Error {}

export interface TransferOptions {
  url: URL;
  paths: CachePaths;
  algorithm: HashAlgorithm | null;
  timeoutMs: number;
  onProgress: ProgressCallback;
}

export interface TransferResult {
  bytes: number;
  /** Hex digest of the whole file, when an algorithm was given. */
  digest: string | null;
}

const OFFLINE_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'ENETUNREACH', 'EHOSTUNREACH',
  'ENETDOWN', 'EHOSTDOWN', 'EADDRNOTAVAIL', 'ENONET',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** If-Range takes a strong ETag or a date; a weak ETag there would make the server always send 200. */
function ifRangeValue(info: PartialInfo): string | null {
  if (info.etag !== null && !info.etag.startsWith('W/')) return info.etag;
  return info.lastModified;
}

function get(url: URL, headers: Record<string, string>, timeoutMs: number) {
  return new Promise<{ req: http.ClientRequest; res: http.IncomingMessage }>((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    // agent: false gives each attempt a fresh connection: a reused keep-alive socket the server already
    // closed would only show up as a spurious reset.
    const req = mod.get(url, { headers, agent: false }, (res) => resolve({ req, res }));
    req.setTimeout(timeoutMs, () => {
      const err = new Error(`no data received for ${timeoutMs} ms`) as Error & { code: string };
      err.code = 'ETIMEDOUT';
      req.destroy(err);
    });
    req.on('error', reject);
  });
}

async function openFollowingRedirects(url: URL, headers: Record<string, string>, timeoutMs: number) {
  let current = url;
  for (let hops = 0; ; hops++) {
    const { req, res } = await get(current, headers, timeoutMs);
    const status = res.statusCode ?? 0;
    if (!REDIRECTS.includes(status)) return { req, res, url: current };
    res.destroy();
    const location = res.headers.location;
    if (!location) throw new BadResponse(`${current.href} answered HTTP ${status} without a Location header`);
    if (hops >= MAX_REDIRECTS) throw new BadResponse(`more than ${MAX_REDIRECTS} redirects (last to ${current.href})`);
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new BadResponse(`${current.href} redirected to ${next.href}, which is not an http(s) URL`);
    }
    current = next;
  }
}

function parseContentRange(h: string | undefined): { start: number; total: number | null } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(h?.trim() ?? '');
  if (m === null) return null;
  return { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) };
}

function contentLength(res: http.IncomingMessage): number | null {
  const h = res.headers['content-length'];
  return h !== undefined && /^\d+$/.test(h) ? Number(h) : null;
}

export async function writeAll(fh: fsp.FileHandle, chunk: Uint8Array): Promise<void> {
  for (let off = 0; off < chunk.byteLength;) off += (await fh.write(chunk, off, chunk.byteLength - off)).bytesWritten;
}

export async function httpTransfer(o: TransferOptions): Promise<TransferResult> {
  let { size: start, info } = await resumablePartial(o.paths, o.url.href, o.algorithm);
  // The loop runs at most twice: a restart sets start to 0, and a transfer from 0 never restarts.
  for (;;) {
    // Hash the kept prefix before connecting, so the idle timeout does not run while we read the disk.
    const hasher = o.algorithm === null ? null : newHasher(o.algorithm);
    if (hasher !== null && start > 0) await feedFile(hasher, o.paths.part);
    const headers: Record<string, string> = { 'User-Agent': 'convkit', Accept: '*/*', 'Accept-Encoding': 'identity' };
    if (start > 0 && info !== null) {
      headers.Range = `bytes=${start}-`;
      const validator = ifRangeValue(info);
      if (validator !== null) headers['If-Range'] = validator;
    }
    let opened;
    try {
      opened = await openFollowingRedirects(o.url, headers, o.timeoutMs);
    } catch (err) {
      if (err instanceof BadResponse) throw err;
      const code = errCode(err);
      if (code !== undefined && OFFLINE_CODES.has(code)) throw new Unreachable(message(err), true, err);
      if (code !== undefined && TRANSIENT_CODES.has(code)) {
        throw new TransferInterrupted(message(err), start, info?.totalBytes ?? null, err);
      }
      throw new Unreachable(message(err), false, err);
    }
    const { req, res, url } = opened;
    const status = res.statusCode ?? 0;
    let total: number | null;
    if (status === 206 && start > 0) {
      const range = parseContentRange(res.headers['content-range']);
      const resized = range !== null && range.total !== null && info?.totalBytes != null && range.total !== info.totalBytes;
      if (range === null || range.start !== start || resized) {
        res.destroy(); // not the part we asked for, or the file changed size: start over rather than splice
        await discardPartial(o.paths);
        [start, info] = [0, null];
        continue;
      }
      total = range.total;
    } else if (status === 200) {
      start = 0; // a server that ignores Range (or a changed file, per If-Range) sends it all again
      total = contentLength(res);
    } else if (status === 416 && start > 0) {
      res.destroy();
      await discardPartial(o.paths); // the partial is not a prefix of this file any more
      [start, info] = [0, null];
      continue;
    } else {
      res.destroy();
      throw new HttpStatus(status, url.href, res.statusMessage ?? '');
    }
    const fresh: PartialInfo = {
      url: o.url.href,
      etag: res.headers.etag ?? (start > 0 ? info?.etag ?? null : null),
      lastModified: res.headers['last-modified'] ?? (start > 0 ? info?.lastModified ?? null : null),
      totalBytes: total,
    };
    await fsp.writeFile(o.paths.sidecar, JSON.stringify(fresh));
    const fromZero = start === 0 ? (o.algorithm === null ? null : newHasher(o.algorithm)) : hasher;
    return receiveBody(o, req, res, start, total, fromZero, canResume(fresh, o.algorithm));
  }
}

async function receiveBody(
  o: TransferOptions, req: http.ClientRequest, res: http.IncomingMessage,
  start: number, total: number | null, hasher: Hash | null, keepOnInterrupt: boolean,
): Promise<TransferResult> {
  // Errors after the response started (idle timeout, reset) arrive on req; make the body iterator see them.
  const forward = (err: Error): void => void res.destroy(err);
  req.on('error', forward);
  const fh = await fsp.open(o.paths.part, start > 0 ? 'a' : 'w');
  let received = start;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (total !== null && received + chunk.length > total) {
        throw new BadResponse(`the server sent more than the ${total} bytes it announced`);
      }
      await writeAll(fh, chunk);
      // Hash only what is on disk, so a resumed hash always matches the partial file.
      hasher?.update(chunk);
      received += chunk.length;
      o.onProgress(received, total);
    }
  } catch (err) {
    if (err instanceof BadResponse) {
      await fh.close();
      await discardPartial(o.paths);
      throw err;
    }
    if (!keepOnInterrupt) {
      await fh.close();
      await discardPartial(o.paths); // could never be resumed safely, so do not leave it lying around
    }
    throw new TransferInterrupted(message(err), received, total, err);
  } finally {
    req.off('error', forward);
    await fh.close().catch(() => undefined);
  }
  if (total !== null && received < total) {
    if (!keepOnInterrupt) await discardPartial(o.paths);
    throw new TransferInterrupted('the connection closed early', received, total);
  }
  return { bytes: received, digest: hasher === null ? null : hasher.digest('hex') };
}
