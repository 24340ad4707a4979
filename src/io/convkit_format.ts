/**
 * convkit's own model file: one file holding the architecture (JSON) and the weights.
 *
 * Layout (all integers little-endian):
 *
 * | offset      | size | content                                                        |
 * |-------------|------|----------------------------------------------------------------|
 * | 0           | 8    | magic `CONVKIT\0`                                               |
 * | 8           | 4    | format version, u32 (currently 1)                              |
 * | 12          | 4    | header length H in bytes, u32                                  |
 * | 16          | H    | UTF-8 JSON header (see below)                                  |
 * | 16+H        | 0–15 | zero padding so the data section starts at a multiple of 16     |
 * | D           | L    | data section: raw little-endian float32 weight values           |
 * | D+L         | 4    | CRC-32 (IEEE, as in zlib/PNG) of bytes [0, D+L), u32            |
 *
 * Header JSON: `{"format":"convkit","config":…,"metadata":{…}?,"dataByteLength":L,
 * "weights":[{"name","shape","dtype":"float32","offset","byteLength"}…]}`. `offset` is relative
 * to the start of the data section; the encoder places each weight at a multiple of 16 bytes
 * (zero-filled gaps), the decoder accepts any multiple of 4 as long as weights lie inside the
 * data section and do not overlap. Weights keep their order.
 *
 * Decoding never trusts the file: magic, version, every length and offset, the JSON, the shapes
 * and the checksum are checked, and every problem is reported as a FormatError naming the source.
 */

import { FormatError, ValueError } from '../errors.js';

export interface StoredWeight {
  name: string;
  shape: number[];
  dtype: 'float32';
  data: Float32Array;
}

export interface ConvkitFile {
  config: unknown;
  weights: StoredWeight[];
  metadata?: Record<string, unknown>;
}

/** The 8 magic bytes every convkit model file starts with: `CONVKIT\0`. */
export const CONVKIT_MAGIC: Uint8Array = new Uint8Array([0x43, 0x4f, 0x4e, 0x56, 0x4b, 0x49, 0x54, 0x00]);
/** Format version written by {@link encodeConvkitFile}; the only one {@link decodeConvkitFile} reads. */
export const CONVKIT_FORMAT_VERSION = 1;

const PREAMBLE = 16; // magic + version + header length
const CRC_BYTES = 4;
const DATA_ALIGN = 16;
/** Upper bound on the JSON header size we are willing to decode (guards absurd lengths). */
const MAX_HEADER_BYTES = 256 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), slicing-by-4 for speed.

const CRC_TABLES: Uint32Array[] = (() => {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables = [t0];
  for (let s = 1; s < 4; s++) {
    const prev = tables[s - 1]!;
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    tables.push(t);
  }
  return tables;
})();

/**
 * CRC-32 of `bytes` (the zlib/PNG/gzip checksum; crc32("123456789") = 0xCBF43926).
 * Pass a previous result as `crc` to continue a running checksum over several chunks.
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3] = CRC_TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = ~crc >>> 0;
  const n = bytes.length;
  let i = 0;
  const end4 = n - (n % 4);
  for (; i < end4; i += 4) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c = t3[c & 0xff]! ^ t2[(c >>> 8) & 0xff]! ^ t1[(c >>> 16) & 0xff]! ^ t0[c >>> 24]!;
  }
  for (; i < n; i++) c = t0[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/** Copies float32 values into `out` as little-endian bytes, preserving every bit (NaN payloads, -0). */
function writeFloat32LE(out: Uint8Array, offset: number, data: Float32Array): void {
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    return;
  }
  const bits = new Uint32Array(data.length);
  new Uint8Array(bits.buffer).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < bits.length; i++) view.setUint32(offset + 4 * i, bits[i]!, true);
}

/** Reads little-endian float32 values into a fresh, aligned Float32Array, bit-exact. */
function readFloat32LE(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + 4 * count));
    return out;
  }
  const bits = new Uint32Array(out.buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) bits[i] = view.getUint32(offset + 4 * i, true);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonOrThrow(value: unknown, what: string): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(value);
  } catch (err) {
    throw new ValueError(`Cannot save ${what}: it is not JSON-serializable (${(err as Error).message})`);
  }
  if (s === undefined) throw new ValueError(`Cannot save ${what}: it is not JSON-serializable (got ${typeof value})`);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Serializes a model file. Throws ValueError for inconsistent weights or non-JSON config/metadata. */
export function encodeConvkitFile(f: ConvkitFile): Uint8Array {
  if (!isPlainObject(f)) throw new ValueError('encodeConvkitFile: expected an object {config, weights, metadata?}');
  if (f.config === undefined) throw new ValueError('encodeConvkitFile: config is required (got undefined)');
  if (!Array.isArray(f.weights)) throw new ValueError('encodeConvkitFile: weights must be an array');
  if (f.metadata !== undefined && !isPlainObject(f.metadata)) {
    throw new ValueError('encodeConvkitFile: metadata must be a plain object when given');
  }
  // Validate the JSON parts early so the messages are specific.
  jsonOrThrow(f.config, 'model config');
  if (f.metadata !== undefined) jsonOrThrow(f.metadata, 'model metadata');

  const entries: { name: string; shape: number[]; dtype: 'float32'; offset: number; byteLength: number }[] = [];
  let dataLen = 0;
  f.weights.forEach((w, i) => {
    const label = `weight #${i}${w && typeof w.name === 'string' ? ` (${JSON.stringify(w.name)})` : ''}`;
    if (!isPlainObject(w)) throw new ValueError(`encodeConvkitFile: ${label} is not an object`);
    if (typeof w.name !== 'string') throw new ValueError(`encodeConvkitFile: ${label} has no string name`);
    if (w.dtype !== 'float32') {
      throw new ValueError(`encodeConvkitFile: ${label} has dtype ${JSON.stringify(w.dtype)}; only "float32" is supported`);
    }
    if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ValueError(`encodeConvkitFile: ${label} has an invalid shape ${JSON.stringify(w.shape)}; expected non-negative integers`);
    }
    if (!(w.data instanceof Float32Array)) throw new ValueError(`encodeConvkitFile: ${label} data must be a Float32Array`);
    const size = shapeSize(w.shape);
    if (w.data.length !== size) {
      throw new ValueError(
        `encodeConvkitFile: ${label} has shape [${w.shape.join(', ')}] (${size} values) but ${w.data.length} data values`,
      );
    }
    const offset = align(dataLen, DATA_ALIGN);
    entries.push({ name: w.name, shape: [...w.shape], dtype: 'float32', offset, byteLength: size * 4 });
    dataLen = offset + size * 4;
  });

  const header: Record<string, unknown> = { format: 'convkit', config: f.config };
  if (f.metadata !== undefined) header.metadata = f.metadata;
  header.dataByteLength = dataLen;
  header.weights = entries;
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  if (headerBytes.length > MAX_HEADER_BYTES) {
    throw new ValueError(`encodeConvkitFile: header JSON is ${headerBytes.length} bytes; the limit is ${MAX_HEADER_BYTES}`);
  }

  const dataStart = align(PREAMBLE + headerBytes.length, DATA_ALIGN);
  const total = dataStart + dataLen + CRC_BYTES;
  const out = new Uint8Array(total); // zero-filled: padding is zeros
  const view = new DataView(out.buffer);
  out.set(CONVKIT_MAGIC, 0);
  view.setUint32(8, CONVKIT_FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE);
  f.weights.forEach((w, i) => writeFloat32LE(out, dataStart + entries[i]!.offset, w.data));
  view.setUint32(total - CRC_BYTES, crc32(out.subarray(0, total - CRC_BYTES)), true);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

/** A short human description of what the first bytes of a foreign file look like. */
export function describeLeadingBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty file';
  const sigs: [readonly number[], string][] = [
    [[0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 'an HDF5 file signature, e.g. a Keras .h5 model'],
    [[0x50, 0x4b, 0x03, 0x04], 'a zip archive header, e.g. a .keras model or a PyTorch .pt file'],
    [[0x50, 0x4b, 0x05, 0x06], 'an empty zip archive'],
    [[0x1f, 0x8b], 'gzip-compressed data'],
    [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
    [[0x80, 0x02], 'a Python pickle'],
    [[0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 'a NumPy .npy array'],
  ];
  for (const [sig, what] of sigs) if (startsWith(bytes, sig)) return what;
  // Text formats: skip a UTF-8 BOM and leading whitespace.
  let i = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  const first = bytes[i];
  const head = bytes.subarray(0, Math.min(bytes.length, 16));
  const printable = head.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d);
  if (first === 0x7b || first === 0x5b) {
    const text = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
    const hint = /"modelTopology"|"weightsManifest"/.test(text) ? ', looks like a TensorFlow.js model.json' : '';
    return `JSON text${hint}`;
  }
  if (i >= bytes.length) return 'only whitespace';
  if (printable) {
    const shown = new TextDecoder().decode(head).replace(/[\r\n\t]/g, ' ');
    return `text starting with ${JSON.stringify(shown)}`;
  }
  return `bytes ${Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}

function notConvkit(source: string, bytes: Uint8Array): FormatError {
  return new FormatError(
    `${source} is not a convkit model file (found ${describeLeadingBytes(bytes)}); expected a file written by model.save()`,
  );
}

function truncated(source: string, expected: number, found: number, atLeast = false): FormatError {
  return new FormatError(
    `${source} is truncated: expected ${atLeast ? 'at least ' : ''}${expected} bytes, found ${found}. ` +
      'The file was probably cut short while copying or saving; save the model again.',
  );
}

/**
 * Parses a convkit model file. `source` (a path or other label) is used in error messages.
 * Throws FormatError for anything that is not an intact convkit file; never returns views into
 * `bytes` (weights are fresh, aligned Float32Arrays).
 */
export function decodeConvkitFile(bytes: Uint8Array, source: string): ConvkitFile {
  if (!(bytes instanceof Uint8Array)) throw new ValueError('decodeConvkitFile: bytes must be a Uint8Array');
  const len = bytes.length;
  const bad = (what: string) => new FormatError(`${source} is corrupted: ${what}`);

  // 1. Magic. A strict prefix of the magic counts as a truncated convkit file.
  const magicLen = Math.min(len, CONVKIT_MAGIC.length);
  if (len === 0 || !startsWith(bytes, Array.from(CONVKIT_MAGIC.subarray(0, magicLen)))) throw notConvkit(source, bytes);
  if (len < PREAMBLE + CRC_BYTES) throw truncated(source, PREAMBLE + CRC_BYTES, len, true);

  // 2. Version and header length.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CONVKIT_FORMAT_VERSION) {
    if (version > CONVKIT_FORMAT_VERSION && version < 1000) {
      throw new FormatError(
        `${source} uses convkit file format version ${version}, but this convkit reads version ${CONVKIT_FORMAT_VERSION}; upgrade convkit to load it`,
      );
    }
    throw bad(`unknown file format version ${version} (expected ${CONVKIT_FORMAT_VERSION})`);
  }
  const headerLen = view.getUint32(12, true);
  if (headerLen > MAX_HEADER_BYTES) throw bad(`header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const dataStart = align(PREAMBLE + headerLen, DATA_ALIGN);
  if (len < dataStart + CRC_BYTES) throw truncated(source, dataStart + CRC_BYTES, len, true);

  // 3. JSON header.
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLen));
    header = JSON.parse(text);
  } catch (err) {
    throw bad(`the header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(header)) throw bad('the header is not a JSON object');
  if (header.format !== 'convkit') throw bad(`header field "format" is ${JSON.stringify(header.format)}, expected "convkit"`);
  const dataLen = header.dataByteLength;
  if (!Number.isSafeInteger(dataLen) || (dataLen as number) < 0) {
    throw bad(`header field "dataByteLength" is ${JSON.stringify(dataLen)}, expected a non-negative integer`);
  }

  // 4. Total size, then checksum over everything before it.
  const expected = dataStart + (dataLen as number) + CRC_BYTES;
  if (len < expected) throw truncated(source, expected, len);
  if (len > expected) throw bad(`${len - expected} unexpected trailing bytes (expected ${expected} bytes, found ${len})`);
  const stored = view.getUint32(len - CRC_BYTES, true);
  const computed = crc32(bytes.subarray(0, len - CRC_BYTES));
  if (stored !== computed) throw bad(`CRC-32 mismatch (stored ${hex32(stored)}, computed ${hex32(computed)})`);

  // 5. Padding must be zero (a conforming writer never puts anything there).
  for (let i = PREAMBLE + headerLen; i < dataStart; i++) {
    if (bytes[i] !== 0) throw bad(`non-zero padding byte at offset ${i}`);
  }

  // 6. Structure of config/metadata/weights.
  if (!('config' in header) || header.config === undefined) throw bad('the header has no "config"');
  if ('metadata' in header && !isPlainObject(header.metadata)) throw bad('header field "metadata" is not an object');
  if (!Array.isArray(header.weights)) throw bad('header field "weights" is not an array');

  const weights: StoredWeight[] = [];
  const ranges: [number, number, number][] = [];
  header.weights.forEach((e: unknown, i: number) => {
    const where = `weight entry #${i}`;
    if (!isPlainObject(e)) throw bad(`${where} is not an object`);
    const { name, shape, dtype, offset, byteLength } = e;
    if (typeof name !== 'string') throw bad(`${where} has no string "name"`);
    const w = `${where} (${JSON.stringify(name)})`;
    if (dtype !== 'float32') throw bad(`${w} has dtype ${JSON.stringify(dtype)}; only "float32" is supported`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw bad(`${w} has an invalid shape ${JSON.stringify(shape)}`);
    }
    const size = shapeSize(shape as number[]);
    if (!Number.isSafeInteger(byteLength) || byteLength !== size * 4) {
      throw bad(`${w} has shape [${(shape as number[]).join(', ')}] (${size} float32 values = ${size * 4} bytes) but byteLength ${JSON.stringify(byteLength)}`);
    }
    if (!Number.isSafeInteger(offset) || (offset as number) < 0 || (offset as number) % 4 !== 0) {
      throw bad(`${w} has an invalid offset ${JSON.stringify(offset)}; expected a non-negative multiple of 4`);
    }
    if ((offset as number) + (byteLength as number) > (dataLen as number)) {
      throw bad(`${w} spans bytes ${offset}..${(offset as number) + (byteLength as number)} but the data section has ${dataLen} bytes`);
    }
    ranges.push([offset as number, (offset as number) + (byteLength as number), i]);
    weights.push({
      name,
      shape: [...(shape as number[])],
      dtype: 'float32',
      data: readFloat32LE(bytes, dataStart + (offset as number), size),
    });
  });
  // Non-empty weights must not share bytes.
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let maxEnd = 0;
  let maxIdx = -1;
  for (const [start, end, idx] of ranges) {
    if (end === start) continue;
    if (start < maxEnd) throw bad(`weight entries #${maxIdx} and #${idx} overlap in the data section`);
    maxEnd = end;
    maxIdx = idx;
  }

  const result: ConvkitFile = { config: header.config, weights };
  if ('metadata' in header) result.metadata = header.metadata as Record<string, unknown>;
  return result;
}
