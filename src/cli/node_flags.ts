/**
 * The V8 flag the convkit command runs node with (bin/convkit.js restarts itself with it; the bench
 * runs convkit the same way). V8 frees dead ArrayBuffers, every tensor's storage, on a background
 * thread that competes with the native thread pool for the cores; with this flag it frees them in
 * the collector's pause instead (README, Speed).
 */
export const GC_FLAG = '--no-concurrent-array-buffer-sweeping';

/** Whether this process runs with GC_FLAG. */
export function usesGcFlag(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.includes(GC_FLAG);
}
