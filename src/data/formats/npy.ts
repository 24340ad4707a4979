/**
 * NumPy `.npy` arrays (the members of an `.npz`), format versions 1.0, 2.0 and 3.0:
 *   "\x93NUMPY" major minor, header length (u16 LE for v1, u32 LE for v2/v3), then a Python dict literal
 *   `{'descr': '<i8', 'fortran_order': False, 'shape': (60000, 28, 28), }` padded with spaces, then the raw data.
 *
 * Only what datasets need: little-endian (or byte-order-free) booleans, integers and floats in C order.
 * The file is untrusted: the header is bounded, the shape must be plain non-negative integers, and the
 * data must be exactly shape × itemsize bytes, checked before anything is allocated.
 */
import { FormatError } from '../../errors.js';

export type NpyData = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

export interface NpyArray {
  /** The dtype as written, e.g. '|u1' or '<i8'. */
  descr: string;
  shape: number[];
  /** The elements in C order. One-byte types are views into the input; wider ones are decoded copies. */
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy itself never writes headers longer than a few hundred bytes; this bound stops a hostile length field. */
const MAX_HEADER = 1 << 16;

interface Kind {
  size: number;
  /** The `count` elements at the start of `bytes` as a typed array. */
  make(bytes: Uint8Array, count: number): NpyData;
}

/** Decodes through a DataView, so the result is correct on any host and any alignment of the input. */
function decoder<T extends NpyData>(size: number, Ctor: new (n: number) => T, get: (v: DataView, o: number) => number | bigint): Kind {
  return {
    size,
    make(bytes, count) {
      const out = new Ctor(count);
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < count; i++) (out as unknown as (number | bigint)[])[i] = get(v, i * size);
      return out;
    },
  };
}

const KINDS: Record<string, Kind> = {
  b1: { size: 1, make: (b, n) => b.subarray(0, n) },
  u1: { size: 1, make: (b, n) => b.subarray(0, n) },
  i1: { size: 1, make: (b, n) => new Int8Array(b.buffer, b.byteOffset, n) },
  u2: decoder(2, Uint16Array, (v, o) => v.getUint16(o, true)),
  i2: decoder(2, Int16Array, (v, o) => v.getInt16(o, true)),
  u4: decoder(4, Uint32Array, (v, o) => v.getUint32(o, true)),
  i4: decoder(4, Int32Array, (v, o) => v.getInt32(o, true)),
  u8: decoder(8, BigUint64Array, (v, o) => v.getBigUint64(o, true)),
  i8: decoder(8, BigInt64Array, (v, o) => v.getBigInt64(o, true)),
  f4: decoder(4, Float32Array, (v, o) => v.getFloat32(o, true)),
  f8: decoder(8, Float64Array, (v, o) => v.getFloat64(o, true)),
};

export function parseNpy(bytes: Uint8Array, source: string): NpyArray {
  const fail = (what: string): never => {
    throw new FormatError(`${source}: not a readable .npy array: ${what}`);
  };
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) fail('it does not start with the magic "\\x93NUMPY"');
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) fail(`format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail('the header is truncated');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (headerLen > MAX_HEADER) fail(`the header claims ${headerLen} bytes (at most ${MAX_HEADER} accepted)`);
  if (start + headerLen > bytes.length) fail(`the header claims ${headerLen} bytes but the file has only ${bytes.length - start} after the length field`);
  // v3 allows UTF-8 field names; v1/v2 are latin1. Datasets only use ASCII either way.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const { descr, fortranOrder, shape } = parseHeader(header, fail);
  if (fortranOrder) fail('fortran_order is True (only C-order arrays are supported)');

  const m = /^([<>|=])([a-z])(\d+)$/.exec(descr);
  if (m === null) fail(`dtype ${JSON.stringify(descr)} is not a plain numeric type (object, string and structured arrays are not supported)`);
  const [, order, letter, width] = m!;
  const kind = KINDS[`${letter}${width}`];
  if (kind === undefined) fail(`unsupported dtype ${JSON.stringify(descr)} (supported: bool, int8–int64, uint8–uint64, float32, float64)`);
  if (kind.size > 1 && order === '>') fail(`dtype ${JSON.stringify(descr)} is big-endian (only little-endian arrays are supported)`);
  if (kind.size > 1 && order === '=') fail(`dtype ${JSON.stringify(descr)} has native byte order, which a file cannot pin down`);
  if (kind.size > 1 && order === '|') fail(`dtype ${JSON.stringify(descr)} is a multi-byte type without a byte order`);

  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > Number.MAX_SAFE_INTEGER) fail(`shape (${shape.join(', ')}) is too large`);
  }
  const dataStart = start + headerLen;
  const have = bytes.length - dataStart;
  const need = count * kind.size;
  if (have < need) fail(`truncated data: shape (${shape.join(', ')}) of ${descr} needs ${need} bytes, the file has ${have}`);
  if (have > need) fail(`${have - need} unexpected bytes after the data of shape (${shape.join(', ')})`);
  return { descr, shape, data: kind.make(bytes.subarray(dataStart), count) };
}

/** Reads numpy's dict literal strictly: exactly the three keys, each value in the form numpy writes. */
function parseHeader(header: string, fail: (what: string) => never): { descr: string; fortranOrder: boolean; shape: number[] } {
  const text = header.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) fail(`the header is not a dict literal: ${JSON.stringify(text.slice(0, 80))}`);
  const body = text.slice(1, -1);
  const entry = /\s*'(\w+)'\s*:\s*('[^']*'|True|False|\([\d\s,]*\))\s*(?:,|$)/y;
  const fields = new Map<string, string>();
  let pos = 0;
  while (pos < body.length && body.slice(pos).trim() !== '') {
    entry.lastIndex = pos;
    const m = entry.exec(body);
    if (m === null) fail(`cannot read the header near ${JSON.stringify(body.slice(pos, pos + 40))}`);
    fields.set(m![1], m![2]);
    pos = entry.lastIndex;
  }
  const keys = [...fields.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') fail(`the header has keys {${keys}}, expected descr, fortran_order, shape`);
  const descr = fields.get('descr')!;
  const fortran = fields.get('fortran_order')!;
  const shapeText = fields.get('shape')!;
  if (!descr.startsWith("'")) fail(`descr must be a string, got ${descr}`);
  if (fortran !== 'True' && fortran !== 'False') fail(`fortran_order must be True or False, got ${fortran}`);
  if (!shapeText.startsWith('(')) fail(`shape must be a tuple, got ${shapeText}`);
  const dims = shapeText.slice(1, -1).split(',').map((s) => s.trim()).filter((s) => s !== '');
  const shape = dims.map((s) => {
    const n = Number(s);
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(n)) fail(`shape ${shapeText} has a bad dimension ${JSON.stringify(s)}`);
    return n;
  });
  return { descr: descr.slice(1, -1), fortranOrder: fortran === 'True', shape };
}
