/**
 * What CIFAR-10 and CIFAR-100 share: the `.tar.gz` archive (kept as downloaded; members are read in memory,
 * never extracted) and its pickled batches. A batch is a dict with bytes keys: b'data', a uint8 NumPy array
 * (N, 3072) whose rows are three 32×32 planes (R, G, B), and the labels as a list of ints. Keras returns the
 * images channels-last, (N, 32, 32, 3), so the planes are interleaved here.
 */
import { FormatError } from '../../errors.js';
import { gunzipBounded } from '../formats/gunzip.js';
import { NdArray, PyDict, readPickle } from '../formats/pickle.js';
import { readTar } from '../formats/tar.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Split } from './common.js';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const ROW = 3 * PLANE;
/** CIFAR-10's archive unpacks to about 185 MB, CIFAR-100's to about 170 MB. */
const MAX_UNPACKED = 400 * 2 ** 20;

export interface CifarBatch {
  /** (N, 3072) rows as stored: channel planes. */
  data: Uint8Array;
  labels: number[];
  count: number;
}

/** The members of the archive by name ('./' prefixes dropped). */
export async function readCifarArchive(bytes: Uint8Array, source: string): Promise<Map<string, Uint8Array>> {
  const tar = await gunzipBounded(bytes, source, MAX_UNPACKED);
  return new Map(readTar(tar, source).map((e) => [e.name.replace(/^\.\//, ''), e.data]));
}

export function member(members: Map<string, Uint8Array>, name: string, source: string): Uint8Array {
  const m = members.get(name);
  if (m === undefined) throw new FormatError(`${source}: the archive has no ${name} (it holds ${[...members.keys()].slice(0, 12).join(', ') || 'no files'})`);
  return m;
}

/** Parses one pickled batch; `labelKey` is 'labels' (CIFAR-10), 'fine_labels' or 'coarse_labels' (CIFAR-100). */
export function parseCifarBatch(bytes: Uint8Array, labelKey: string, classes: number, source: string): CifarBatch {
  const d = readPickle(bytes, source);
  if (!(d instanceof PyDict)) throw new FormatError(`${source}: the pickle holds a ${describe(d)}, expected a dict`);
  const data = d.get('data');
  if (!(data instanceof NdArray)) throw new FormatError(`${source}: b'data' is ${data === undefined ? `missing (keys: ${d.keys().join(', ')})` : `a ${describe(data)}, expected a NumPy array`}`);
  if (data.dtype.replace(/^[<|]/, '') !== 'u1') throw new FormatError(`${source}: b'data' has dtype ${data.dtype}, expected uint8`);
  if (data.fortranOrder) throw new FormatError(`${source}: b'data' is in Fortran order, expected C order`);
  if (data.shape.length !== 2 || data.shape[1] !== ROW) throw new FormatError(`${source}: b'data' has shape (${data.shape.join(', ')}), expected (N, ${ROW})`);
  const count = data.shape[0];
  if (data.data.length !== count * ROW) throw new FormatError(`${source}: b'data' holds ${data.data.length} bytes, its shape (${data.shape.join(', ')}) needs ${count * ROW}`);
  const labels = d.get(labelKey);
  if (!Array.isArray(labels)) throw new FormatError(`${source}: b'${labelKey}' is ${labels === undefined ? `missing (keys: ${d.keys().join(', ')})` : `a ${describe(labels)}, expected a list of ints`}`);
  if (labels.length !== count) throw new FormatError(`${source}: ${labels.length} labels in b'${labelKey}' for ${count} images`);
  for (let i = 0; i < count; i++) {
    const v = labels[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= classes) {
      throw new FormatError(`${source}: b'${labelKey}'[${i}] is ${String(v)}, expected an int in 0..${classes - 1}`);
    }
  }
  return { data: data.data, labels: labels as number[], count };
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? (v as object).constructor.name : typeof v;
}

/** Concatenates batches into x (N, 32, 32, 3) float32 0–255 (CHW rows → HWC) and y (N, 1) int32, as Keras. */
export function cifarSplit(batches: CifarBatch[]): Split {
  const n = batches.reduce((s, b) => s + b.count, 0);
  const x = new Float32Array(n * ROW);
  const y = new Int32Array(n);
  let img = 0;
  for (const b of batches) {
    for (let i = 0; i < b.count; i++, img++) {
      const src = i * ROW;
      const dst = img * ROW;
      for (let p = 0; p < PLANE; p++) {
        x[dst + 3 * p] = b.data[src + p];
        x[dst + 3 * p + 1] = b.data[src + PLANE + p];
        x[dst + 3 * p + 2] = b.data[src + 2 * PLANE + p];
      }
      y[img] = b.labels[i];
    }
  }
  // x is filled in place (one pass, no uint8 intermediate), so it is wrapped directly.
  return [new Tensor(x, [n, SIDE, SIDE, 3]), new Tensor(y, [n, 1])];
}
