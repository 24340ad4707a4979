/**
 * gzip decompression with a ceiling on the output: a `.gz` is untrusted, and a few kilobytes can
 * inflate to gigabytes. Runs on libuv's thread pool (node:zlib), so a large file does not block the event loop.
 */
import { gunzip } from 'node:zlib';
import { FormatError } from '../../errors.js';

const GZIP_MAGIC = [0x1f, 0x8b];

export function isGzip(bytes: Uint8Array): boolean {
  return GZIP_MAGIC.every((b, i) => bytes[i] === b);
}

export function gunzipBounded(bytes: Uint8Array, source: string, maxBytes: number): Promise<Uint8Array> {
  if (!isGzip(bytes)) return Promise.reject(new FormatError(`${source}: not a gzip file (it does not start with 1f 8b)`));
  return new Promise((resolve, reject) => {
    gunzip(bytes, { maxOutputLength: maxBytes }, (err, out) => {
      if (err === null) {
        resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
        return;
      }
      const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
      reject(new FormatError(tooBig
        ? `${source}: decompresses to more than ${maxBytes} bytes, more than this dataset can hold`
        : `${source}: corrupt gzip data (${err.message})`));
    });
  });
}
