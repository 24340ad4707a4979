/**
 * IDX files, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
 *   magic u32 big-endian = 0x0000 TT DD (TT: element type, DD: number of dimensions),
 *   DD dimension sizes as u32 big-endian, then the elements in C order.
 * Datasets only use unsigned bytes (TT = 0x08): 0x00000801 for labels (N), 0x00000803 for images (N, rows, cols).
 */
import { FormatError } from '../../errors.js';

export interface IdxArray {
  shape: number[];
  /** A view into the input bytes. */
  data: Uint8Array;
}

const UBYTE = 0x08;
const TYPE_NAMES: Record<number, string> = { 0x08: 'ubyte', 0x09: 'byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double' };

/** `ndim`, when given, is the number of dimensions the caller expects (1 for labels, 3 for images). */
export function parseIdx(bytes: Uint8Array, source: string, ndim?: number): IdxArray {
  const fail = (what: string): never => {
    throw new FormatError(`${source}: not a readable IDX file: ${what}`);
  };
  if (bytes.length < 4) fail(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`bad magic 0x${magic.toString(16).padStart(8, '0')} (an IDX file starts with two zero bytes)`);
  const type = bytes[2];
  const dims = bytes[3];
  if (type !== UBYTE) fail(`element type 0x${type.toString(16)} (${TYPE_NAMES[type] ?? 'unknown'}); only unsigned bytes (0x08) are supported`);
  if (ndim !== undefined && dims !== ndim) {
    fail(`magic 0x${magic.toString(16).padStart(8, '0')} says ${dims} dimensions, expected ${ndim} (0x0000080${ndim})`);
  }
  if (dims === 0) fail('zero dimensions');
  const start = 4 + 4 * dims;
  if (bytes.length < start) fail(`the header of ${dims} dimensions is truncated`);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < dims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= d;
  }
  // Sizes are compared before any allocation; the result is a view, so nothing large is copied.
  const have = bytes.length - start;
  if (have < count) fail(`truncated data: shape (${shape.join(', ')}) needs ${count} bytes, the file has ${have}`);
  if (have > count) fail(`${have - count} unexpected bytes after the data of shape (${shape.join(', ')})`);
  return { shape, data: bytes.subarray(start) };
}
