/**
 * Read and write whole HDF5 files as plain trees (see tree.ts), through the HDF5 C library
 * compiled to WebAssembly (h5wasm) running in a worker thread.
 *
 * Why a worker: files come from strangers. On a corrupt file the library may throw from the
 * middle of a call (leaving its internal state unusable for later calls) or spin for a long
 * time. The worker is replaced after any failed read and terminated when a read takes longer
 * than its deadline, so a bad file costs one clear error, never the process or a hang.
 */
import { Worker } from 'node:worker_threads';
import { statSync } from 'node:fs';
import { FormatError } from '../../errors.js';
import type { H5Group } from './tree.js';

interface Pending { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }
interface Reader { worker: Worker; pending: Map<number, Pending>; retired: boolean }

let current: Reader | null = null;
let nextId = 1;

function failAll(r: Reader, err: Error): void {
  for (const p of r.pending.values()) {
    clearTimeout(p.timer);
    p.reject(err);
  }
  r.pending.clear();
}

/** Stops using a reader whose library state is suspect: it finishes what it was given, then ends. */
function retire(r: Reader): void {
  if (current === r) current = null;
  r.retired = true;
  if (r.pending.size === 0) void r.worker.terminate();
}

/** Ends a reader at once (timeout, crash); requests still waiting on it fail with `reason`. */
function kill(r: Reader, reason: Error): void {
  if (current === r) current = null;
  r.retired = true;
  failAll(r, reason);
  void r.worker.terminate();
}

function getReader(): Reader {
  if (current) return current;
  const worker = new Worker(new URL('./hdf5_worker.js', import.meta.url));
  const r: Reader = { worker, pending: new Map(), retired: false };
  worker.unref(); // an idle reader must not keep the process alive
  worker.on('message', (msg: { id: number; error?: string }) => {
    const p = r.pending.get(msg.id);
    if (!p) return;
    r.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.error !== undefined) {
      p.reject(new Error(msg.error));
      retire(r);
    } else {
      p.resolve(msg);
    }
    if (r.pending.size === 0) {
      worker.unref();
      if (r.retired) void worker.terminate();
    }
  });
  worker.on('error', (e) => kill(r, e));
  worker.on('exit', () => kill(r, new Error('the HDF5 worker stopped')));
  current = r;
  return r;
}

function call<T>(msg: Record<string, unknown>, timeoutMs: number): Promise<T> {
  const r = getReader();
  const id = nextId++;
  r.worker.ref();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      r.pending.delete(id);
      reject(new Error(`gave up after ${Math.round(timeoutMs / 1000)} s`));
      kill(r, new Error('the HDF5 reader was restarted after a timeout'));
    }, timeoutMs);
    r.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
    r.worker.postMessage({ id, ...msg });
  });
}

/** Generous deadline: the library reads ~1 GB/s; anything far slower is a pathological file. */
function deadline(bytes: number): number {
  return 30_000 + bytes / 5_000;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when `bytes` starts with the HDF5 signature (superblock at offset 0, as Keras writes). */
export function looksLikeHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && HDF5_SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * Reads a whole HDF5 file (a path, or the file's bytes) into a tree. `source` names the file
 * in error messages. Every failure is a FormatError saying what could not be read.
 */
export async function readHdf5(file: string | Uint8Array, source: string = typeof file === 'string' ? file : 'HDF5 data'): Promise<H5Group> {
  let size: number;
  if (typeof file === 'string') {
    try {
      size = statSync(file).size;
    } catch (e) {
      throw new FormatError(`${source}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  } else {
    size = file.length;
  }
  try {
    const msg = await call<{ tree: H5Group }>(typeof file === 'string' ? { op: 'read', path: file } : { op: 'read', bytes: file }, deadline(size));
    return msg.tree;
  } catch (e) {
    throw new FormatError(`${source}: not a readable HDF5 file (${firstLine((e as Error).message)})`);
  }
}

/** Serialises a tree into the bytes of an HDF5 file (superblock v0, as h5py writes for Keras). */
export async function encodeHdf5(tree: H5Group): Promise<Uint8Array> {
  const msg = await call<{ bytes: Uint8Array }>({ op: 'write', tree }, deadline(treeBytes(tree)));
  return msg.bytes;
}

function treeBytes(g: H5Group): number {
  let n = 0;
  for (const c of Object.values(g.children)) n += c.kind === 'group' ? treeBytes(c) : c.data.byteLength;
  return n;
}

/** HDF5's error stacks run to dozens of lines; the innermost (most specific) message is the useful one. */
function firstLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const detail = lines.filter((l) => /^#\d+:/.test(l)).pop();
  const msg = detail ? detail.replace(/^#\d+:\s*\S+\s+line\s+\d+\s+in\s+/, '') : lines[0] ?? text;
  return msg.length > 300 ? `${msg.slice(0, 300)}…` : msg;
}
