/**
 * Runs the HDF5 C library (h5wasm) off the main thread. A corrupt file can make the library
 * throw from deep inside a call, leaving its global state unusable, or loop for a long time;
 * in a worker the caller can simply terminate it and start a fresh one (see hdf5.ts).
 *
 * Messages: {id, op: 'read', path?, bytes?, maxBytes} → {id, tree} | {id, error}
 *           {id, op: 'write', tree, libver} → {id, bytes} | {id, error}
 */
import { parentPort } from 'node:worker_threads';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import type { H5AttrValue, H5DType, H5Group, H5Node, H5NumericArray } from './tree.js';

type H5Module = typeof h5wasm;
type H5Entity = ReturnType<InstanceType<H5Module['File']>['get']>;
type HasAttrs = { attrs: Record<string, { value: unknown; shape: number[] | null }> };

const MAX_DEPTH = 64;
const MAX_NODES = 1_000_000;

const DTYPES: Record<string, H5DType> = {
  '<f': 'float32', '<d': 'float64', '<b': 'int8', '<B': 'uint8', '<h': 'int16', '<H': 'uint16',
  '<i': 'int32', '<I': 'uint32', '<q': 'int64', '<Q': 'uint64', '|b': 'int8', '|B': 'uint8',
};
const ITEM_BYTES: Record<H5DType, number> = { float32: 4, float64: 8, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8 };

let ready: Promise<void> | null = null;
function init(): Promise<void> {
  ready ??= h5wasm.ready.then((m) => {
    // Errors become JS exceptions carrying HDF5's message instead of being printed to stderr.
    (m as unknown as { activate_throwing_error_handler(): number }).activate_throwing_error_handler();
  });
  return ready;
}

function attrValue(raw: unknown, where: string): H5AttrValue {
  if (typeof raw === 'string' || typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return raw as string[];
  if (ArrayBuffer.isView(raw) && !(raw instanceof DataView)) return Array.from(raw as unknown as ArrayLike<number | bigint>, Number);
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'number' || typeof s === 'bigint')) return raw.map(Number);
  throw new Error(`attribute ${where} has a type convkit does not read`);
}

function readAttrs(obj: HasAttrs, path: string): Record<string, H5AttrValue> {
  const out: Record<string, H5AttrValue> = {};
  for (const name of Object.keys(obj.attrs)) out[name] = attrValue(obj.attrs[name]!.value, `"${name}" of ${path}`);
  return out;
}

interface ReadState { nodes: number; bytes: number; maxBytes: number; transfer: ArrayBuffer[] }

function readNode(entity: H5Entity, path: string, depth: number, st: ReadState): H5Node | null {
  if (++st.nodes > MAX_NODES) throw new Error(`more than ${MAX_NODES} objects`);
  if (depth > MAX_DEPTH) throw new Error(`groups nested deeper than ${MAX_DEPTH} levels at ${path}`);
  if (!entity) return null;
  if (entity instanceof h5wasm.Group) {
    const children: Record<string, H5Node> = {};
    for (const key of entity.keys()) {
      const child = readNode(entity.get(key) as H5Entity, `${path === '/' ? '' : path}/${key}`, depth + 1, st);
      if (child) children[key] = child;
    }
    return { kind: 'group', attrs: readAttrs(entity as unknown as HasAttrs, path), children };
  }
  if (entity instanceof h5wasm.Dataset) {
    const dtype = DTYPES[typeof entity.dtype === 'string' ? entity.dtype : ''];
    if (!dtype) throw new Error(`dataset ${path} has type ${JSON.stringify(entity.dtype)}; convkit reads little-endian numeric datasets only`);
    const shape = entity.shape ?? [];
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`dataset ${path} has an invalid shape`);
    const count = shape.reduce((a, b) => a * b, 1);
    st.bytes += count * ITEM_BYTES[dtype];
    // A forged shape must not make the library allocate gigabytes: Keras never compresses, so
    // the data cannot be much larger than the file that holds it.
    if (st.bytes > st.maxBytes) throw new Error(`dataset ${path} of shape (${shape.join(', ')}) is larger than the file can hold`);
    const raw = entity.value as unknown;
    let data: H5NumericArray;
    if (raw instanceof BigInt64Array || raw instanceof BigUint64Array) data = Float64Array.from(raw, Number);
    else if (typeof raw === 'number' || typeof raw === 'bigint') data = Float64Array.of(Number(raw));
    else if (ArrayBuffer.isView(raw)) data = raw as unknown as H5NumericArray;
    else throw new Error(`dataset ${path} could not be read as numbers`);
    if (data.length !== count) throw new Error(`dataset ${path} holds ${data.length} values, its shape (${shape.join(', ')}) needs ${count}`);
    st.transfer.push(data.buffer as ArrayBuffer);
    const outType: H5DType = dtype === 'int64' || dtype === 'uint64' ? 'float64' : dtype;
    return { kind: 'dataset', attrs: readAttrs(entity as unknown as HasAttrs, path), shape, dtype: outType, data };
  }
  return null; // links to nowhere, datatypes: Keras files have none worth reading
}

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'convkit-h5-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readFile(path: string, maxBytes: number): { tree: H5Group; transfer: ArrayBuffer[] } {
  const st: ReadState = { nodes: 0, bytes: 0, maxBytes, transfer: [] };
  const file = new h5wasm.File(path, 'r');
  try {
    const tree = readNode(file as unknown as H5Entity, '/', 0, st) as H5Group;
    return { tree, transfer: st.transfer };
  } finally {
    try { file.close(); } catch { /* already failing */ }
  }
}

function writeNode(group: InstanceType<H5Module['Group']>, node: H5Node, name: string): void {
  if (node.kind === 'group') {
    const g = name === '' ? group : group.create_group(name);
    writeAttrs(g, node.attrs);
    for (const [k, child] of Object.entries(node.children)) writeNode(g, child, k);
    return;
  }
  const ds = group.create_dataset({ name, data: node.data, shape: node.shape, dtype: node.dtype === 'float32' ? '<f' : node.dtype === 'float64' ? '<d' : undefined });
  writeAttrs(ds as unknown as InstanceType<H5Module['Group']>, node.attrs);
}

function writeAttrs(obj: InstanceType<H5Module['Group']>, attrs: Record<string, H5AttrValue>): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (Array.isArray(v) && v.length === 0) {
      // h5py writes an empty list as an empty float64 array (Keras's weight_names of weightless layers).
      obj.create_attribute(k, new Float64Array(0), [0], '<d');
    } else if (typeof v === 'number') {
      obj.create_attribute(k, Float64Array.of(v), [], '<d');
    } else if (Array.isArray(v) && typeof v[0] === 'number') {
      obj.create_attribute(k, Float64Array.from(v as number[]), [v.length], '<d');
    } else {
      obj.create_attribute(k, v as string | string[]);
    }
  }
}

function writeFile(tree: H5Group): Uint8Array {
  return withTempDir((dir) => {
    const path = join(dir, 'out.h5');
    // 'earliest' keeps superblock v0 and classic groups, as h5py writes for Keras by default.
    const file = new h5wasm.File(path, 'w', { libver: ['earliest', 'latest'] } as never);
    try {
      writeNode(file, tree, '');
    } finally {
      file.close();
    }
    return new Uint8Array(readFileSync(path));
  });
}

parentPort!.on('message', async (msg: { id: number; op: 'read' | 'write'; path?: string; bytes?: Uint8Array; tree?: H5Group }) => {
  try {
    await init();
    if (msg.op === 'read') {
      const run = (p: string) => readFile(p, 64 * statSync(p).size + (1 << 20));
      const { tree, transfer } = msg.bytes
        ? withTempDir((dir) => { const p = join(dir, 'in.h5'); writeFileSync(p, msg.bytes!); return run(p); })
        : run(msg.path!);
      parentPort!.postMessage({ id: msg.id, tree }, transfer);
    } else {
      const bytes = writeFile(msg.tree!);
      parentPort!.postMessage({ id: msg.id, bytes }, [bytes.buffer as ArrayBuffer]);
    }
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    parentPort!.postMessage({ id: msg.id, error: text });
  }
});
