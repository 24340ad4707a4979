/**
 * Reading regular files out of a tar archive held in memory (POSIX ustar, GNU and pax variants), enough
 * for dataset archives such as `cifar-10-python.tar.gz`. Nothing is extracted to disk, so member names
 * cannot escape a directory; every size is checked against the bytes actually present.
 */
import { FormatError } from '../../errors.js';

export interface TarEntry {
  /** The member's path inside the archive, as stored (e.g. 'cifar-10-batches-py/data_batch_1'). */
  name: string;
  /** A view into the archive bytes. */
  data: Uint8Array;
}

const BLOCK = 512;

function field(bytes: Uint8Array, at: number, len: number): string {
  let end = at;
  while (end < at + len && bytes[end] !== 0) end++;
  return new TextDecoder('utf-8').decode(bytes.subarray(at, end));
}

/** Sizes are octal text, or (GNU, for ≥ 8 GiB) big-endian base-256 flagged by the top bit. */
function sizeField(bytes: Uint8Array, at: number, fail: (w: string) => never): number {
  if (bytes[at] & 0x80) {
    let n = 0;
    for (let i = at + 1; i < at + 12; i++) n = n * 256 + bytes[i];
    if (!Number.isSafeInteger(n)) fail('a member size does not fit in a safe integer');
    return n;
  }
  const text = field(bytes, at, 12).trim();
  if (!/^[0-7]*$/.test(text)) fail(`bad size field ${JSON.stringify(text)}`);
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(bytes: Uint8Array, at: number): boolean {
  const stored = parseInt(field(bytes, at + 148, 8).trim() || 'x', 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : bytes[at + i];
  return stored === sum;
}

/** pax extended headers: records "<len> <key>=<value>\n"; only `path` matters here. */
function paxPath(data: Uint8Array): string | null {
  const text = new TextDecoder('utf-8').decode(data);
  let pos = 0;
  let path: string | null = null;
  while (pos < text.length) {
    const m = /^(\d+) ([^=]+)=/.exec(text.slice(pos));
    if (m === null) break;
    const len = Number(m[1]);
    if (!(len > 0)) break;
    if (m[2] === 'path') path = text.slice(pos + m[0].length, pos + len - 1);
    pos += len;
  }
  return path;
}

/** The regular files of the archive, in order. Directories, links and other entries are skipped. */
export function readTar(bytes: Uint8Array, source: string): TarEntry[] {
  const fail = (what: string): never => {
    throw new FormatError(`${source}: not a readable tar archive: ${what}`);
  };
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: string | null = null;
  while (pos + BLOCK <= bytes.length) {
    if (bytes.subarray(pos, pos + BLOCK).every((b) => b === 0)) return entries; // end-of-archive marker
    if (!checksumOk(bytes, pos)) fail(`header checksum mismatch at byte ${pos}`);
    const magic = field(bytes, pos + 257, 6);
    const size = sizeField(bytes, pos + 124, fail);
    const type = String.fromCharCode(bytes[pos + 156] || 0x30);
    const dataStart = pos + BLOCK;
    if (size > bytes.length - dataStart) fail(`member at byte ${pos} claims ${size} bytes but only ${bytes.length - dataStart} remain (truncated archive)`);
    const data = bytes.subarray(dataStart, dataStart + size);
    let name = field(bytes, pos, 100);
    const prefix = magic.startsWith('ustar') ? field(bytes, pos + 345, 155) : '';
    if (prefix !== '' && magic === 'ustar') name = `${prefix}/${name}`;
    pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = field(data, 0, data.length); // GNU: the next member's long name
    } else if (type === 'x') {
      longName = paxPath(data) ?? longName;
    } else if (type === 'g') {
      // pax global header: nothing we use
    } else {
      if (longName !== null) name = longName;
      longName = null;
      if (type === '0' || type === '7') entries.push({ name, data });
    }
  }
  if (pos < bytes.length || entries.length === 0) fail(`truncated: no end-of-archive marker after ${entries.length} member(s)`);
  // Some writers omit the two zero blocks; a clean end on a block boundary is accepted.
  return entries;
}
