/**
 * Constant filters (Epilogue.constantFilter: inference weights folded from the variables) packed
 * ahead of time by the addon (packGemmB) into the layout its GEMM kernels stream sequentially, so
 * weights that come from DRAM at batch 1 are prefetched instead of fetched a strided row at a time.
 * One packed copy per filter array, dropped with it.
 */
import type { NativeAddon } from './addon.js';
import { allocAligned } from './alloc.js';

type SizeFn = (k: number, n: number) => number;
type PackFn = (b: Float32Array, k: number, n: number, out: Float32Array) => void;

/**
 * Filters smaller than this stay as they are: they live in L1/L2 after the first pass anyway, and
 * a packed copy would only add memory.
 */
export const MIN_PACKED_FLOATS = 8192;

interface Entry {
  k: number;
  n: number;
  packed: Float32Array | null;
}

export function packedFilterCache(addon: NativeAddon): (filter: Float32Array, k: number, n: number) => Float32Array | null {
  const size = addon.packedGemmBSize as SizeFn | undefined;
  const pack = addon.packGemmB as PackFn | undefined;
  const cache = new WeakMap<Float32Array, Entry>();
  return (filter, k, n) => {
    if (!size || !pack || filter.length < MIN_PACKED_FLOATS) return null;
    const hit = cache.get(filter);
    if (hit && hit.k === k && hit.n === n) return hit.packed;
    const floats = size(k, n);
    let packed: Float32Array | null = null;
    if (floats > 0) {
      packed = allocAligned(floats);
      pack(filter, k, n, packed);
    }
    cache.set(filter, { k, n, packed });
    return packed;
  };
}
