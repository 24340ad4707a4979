/**
 * What a convkit benchmark child reports about its setup: the backend getBackend() picked, the
 * addon's thread count (set by bench/run.ts through CONVKIT_NUM_THREADS) and every kernel that
 * fell back to the js backend during the run.
 */
import { getBackend } from '../../src/index.js';
import { loadAddon } from '../../src/backend/native/addon.js';

const fallbacks = new Set<string>();
process.on('warning', (w) => {
  const m = /has no '([^']+)' kernel/.exec(w.message);
  if (m) fallbacks.add(m[1]);
});

export function convkitInfo(): Record<string, unknown> {
  const { addon, error } = loadAddon();
  const info = addon ? addon.info() : null;
  return {
    backend: getBackend().name,
    addonThreads: info?.threads ?? null,
    isa: info?.isa ?? null,
    ...(addon ? {} : { addonError: error }),
    jsFallbacks: [...fallbacks].sort(),
  };
}
