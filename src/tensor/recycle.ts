/**
 * Recycled tensor storage for inference. A model's forward pass at inference allocates every
 * activation fresh; once the garbage collector owns freed buffers, each pass writes tens of MB of new
 * memory (page faults for large buffers, and on a batch-1 MobileNet the activations then evict the
 * weights from the L3 cache). The graph executor knows when an intermediate value was read for the
 * last time and hands its storage back here; kernels that write every output element take their
 * output from here first, so a repeated predict() reuses the same, cache-warm memory.
 *
 * Only storage that a kernel's allocator adopted (marked at allocation) is ever reused:
 * user data, weights and views never enter the pool.
 */
import type { Tensor } from './tensor.js';

/** Storage this module handed out, which may therefore be recycled. */
const recyclable = new WeakSet<Float32Array>();
/** Free buffers by length, most recently freed last (the warmest is reused first). */
const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;
/** Upper bound on memory held in the pool (beyond it, freed buffers are left to the collector). */
const MAX_POOLED_BYTES = 512 * 1024 * 1024;

/** A pooled buffer of exactly n elements (contents undefined), or null when the pool has none. */
export function takeStorage(n: number): Float32Array | null {
  const list = free.get(n);
  if (!list || list.length === 0) return null;
  const out = list.pop() as Float32Array;
  pooledBytes -= out.byteLength;
  return out;
}

/** Marks freshly allocated, exclusively owned storage as reusable once released. */
export function adoptStorage(data: Float32Array): Float32Array {
  recyclable.add(data);
  return data;
}

/**
 * Hands `t`'s storage back for reuse. The caller guarantees that nothing reads `t` (or any tensor
 * sharing its storage) again; storage that was not adopted is ignored. Returns whether the
 * storage entered the pool.
 */
export function recycleStorage(t: Tensor): boolean {
  return recycleArray(t.values);
}

/** recycleStorage for a bare array (a backend's own intermediate, which no tensor holds). */
export function recycleArray(data: unknown): boolean {
  if (!(data instanceof Float32Array) || !recyclable.has(data)) return false;
  if (pooledBytes + data.byteLength > MAX_POOLED_BYTES) return false;
  const list = free.get(data.length);
  if (list) {
    if (list.includes(data)) return false;  // already pooled: never hand one buffer out twice
    list.push(data);
  } else {
    free.set(data.length, [data]);
  }
  pooledBytes += data.byteLength;
  return true;
}

/**
 * Takes `data` out of circulation for good: out of the pool if it is there, and never pooled again.
 * An inference plan (models/inference_plan.ts) claims the storage its replayed kernels write.
 */
export function claimStorage(data: Float32Array): void {
  recyclable.delete(data);
  const list = free.get(data.length);
  const at = list ? list.indexOf(data) : -1;
  if (at < 0) return;
  (list as Float32Array[]).splice(at, 1);
  pooledBytes -= data.byteLength;
}

/** Bytes currently held for reuse (for tests and memory reports). */
export function pooledStorageBytes(): number {
  return pooledBytes;
}

/** Drops every pooled buffer (the collector then reclaims them). */
export function clearStoragePool(): void {
  free.clear();
  pooledBytes = 0;
}
