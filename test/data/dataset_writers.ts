/**
 * Writers for the real dataset formats, so tests can generate small files byte for byte as Keras's
 * downloads are laid out: .npy / .npz, gzipped IDX, ustar archives and Python 2 protocol-2 pickles
 * of CIFAR batch dicts (what `cPickle.dump(d, f, 2)` wrote for the CIFAR python archives).
 */
import { zipSync } from 'fflate';
import { gzipSync } from 'node:zlib';
import { concatBytes as concat } from '../../src/io/bytes.js';

const enc = (s: string) => new TextEncoder().encode(s);


/** An .npy file: `data` is the raw little-endian element bytes. */
export function npy(descr: string, shape: number[], data: Uint8Array, version: 1 | 2 | 3 = 1, fortran = false): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${dims}), }`;
  const lenBytes = version === 1 ? 2 : 4;
  const unpadded = 8 + lenBytes + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const pre = new Uint8Array(8 + lenBytes);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(pre.buffer);
  if (version === 1) v.setUint16(8, header.length, true);
  else v.setUint32(8, header.length, true);
  return concat([pre, enc(header), data]);
}

export function npz(arrays: Record<string, Uint8Array>, compressed = true): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(arrays)) files[`${k}.npy`] = v;
  return zipSync(files, { level: compressed ? 6 : 0 });
}

/** An IDX file of unsigned bytes, gzipped like the MNIST/Fashion-MNIST downloads. */
export function idxGz(shape: number[], data: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * shape.length);
  const v = new DataView(head.buffer);
  v.setUint32(0, 0x0800 | shape.length, false);
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  return new Uint8Array(gzipSync(concat([head, data])));
}

/** A ustar archive of regular files (with a directory entry first, as tar writes them). */
export function tar(files: { name: string; data: Uint8Array }[], dir?: string): Uint8Array {
  const header = (name: string, size: number, type: string): Uint8Array => {
    const h = new Uint8Array(512);
    const put = (at: number, s: string) => h.set(enc(s), at);
    put(0, name);
    put(100, '0000644\0');
    put(108, '0001750\0');
    put(116, '0001750\0');
    put(124, size.toString(8).padStart(11, '0') + '\0');
    put(136, '11262736210\0');
    put(148, '        ');
    put(156, type);
    put(257, 'ustar\0');
    put(263, '00');
    put(265, 'kriz');
    let sum = 0;
    for (const b of h) sum += b;
    put(148, sum.toString(8).padStart(6, '0') + '\0 ');
    return h;
  };
  const parts: Uint8Array[] = [];
  if (dir !== undefined) parts.push(header(`${dir}/`, 0, '5'));
  for (const f of files) {
    parts.push(header(f.name, f.data.length, '0'), f.data, new Uint8Array((512 - (f.data.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024));
  return concat(parts);
}

/** Protocol-2 pickle opcodes, written the way Python 2's cPickle does for a CIFAR batch. */
class PickleWriter {
  private parts: number[] = [];
  private memo = 1;
  op(...bytes: number[]): this { this.parts.push(...bytes); return this; }
  put(): this { return this.op(0x71, this.memo++); } // BINPUT
  str(s: string | Uint8Array): this { // py2 str: SHORT_BINSTRING / BINSTRING
    const b = typeof s === 'string' ? enc(s) : s;
    if (b.length < 256) this.op(0x55, b.length);
    else this.op(0x54, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, (b.length >>> 24) & 0xff);
    for (const x of b) this.parts.push(x);
    return this.put();
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    if (n >= 0 && n < 65536) return this.op(0x4d, n & 0xff, n >> 8);
    return this.op(0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
  }
  global(module: string, name: string): this {
    this.op(0x63);
    for (const x of enc(`${module}\n${name}\n`)) this.parts.push(x);
    return this.put();
  }
  bytes(): Uint8Array { return Uint8Array.from(this.parts); }
}

export interface CifarBatchSpec {
  /** (n, 3072) rows: R plane, G plane, B plane of each 32×32 image. */
  data: Uint8Array;
  n: number;
  /** e.g. { labels: [...] } for CIFAR-10, { fine_labels: [...], coarse_labels: [...] } for CIFAR-100. */
  labels: Record<string, number[]>;
  batchLabel?: string;
  /** Override the array's dtype name (tests of rejected files). */
  dtype?: string;
  /** Override the shape written for the array. */
  shape?: [number, number];
}

export function cifarBatchPickle(spec: CifarBatchSpec): Uint8Array {
  const w = new PickleWriter();
  w.op(0x80, 2).op(0x7d).put().op(0x28); // PROTO 2, EMPTY_DICT, BINPUT, MARK
  w.str('data');
  w.global('numpy.core.multiarray', '_reconstruct');
  w.global('numpy', 'ndarray');
  w.int(0).op(0x85).put().str('b').op(0x87).put().op(0x52).put(); // (ndarray, (0,), 'b') REDUCE
  const [rows, cols] = spec.shape ?? [spec.n, 3072];
  w.op(0x28).int(1).int(rows).int(cols).op(0x86).put(); // MARK 1 (rows, cols)
  w.global('numpy', 'dtype').str(spec.dtype ?? 'u1').int(0).int(1).op(0x87).put().op(0x52).put();
  w.op(0x28).int(3).str('|').op(0x4e, 0x4e, 0x4e).int(0xffffffff | 0).int(0xffffffff | 0).int(0).op(0x74).put().op(0x62); // dtype state, BUILD
  w.op(0x89).str(spec.data).op(0x74).put().op(0x62); // False, raw data, TUPLE, BUILD
  for (const [key, values] of Object.entries(spec.labels)) {
    w.str(key).op(0x5d).put();
    for (let i = 0; i < values.length; i += 1000) { // cPickle appends in batches of 1000
      w.op(0x28);
      for (const v of values.slice(i, i + 1000)) w.int(v);
      w.op(0x65);
    }
  }
  w.str('batch_label').str(spec.batchLabel ?? 'training batch 1 of 5');
  w.op(0x75, 0x2e); // SETITEMS, STOP
  return w.bytes();
}

export function gz(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}
