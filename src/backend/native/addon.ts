/**
 * Loads the native addon (C++ kernels, see native/). Looks, in order, for a local build
 * (build/Release/convkit.node, made by `npm install` from source) and the prebuilt binary shipped
 * in the package (prebuilds/<platform>-<arch>/), following the node-gyp-build convention;
 * CONVKIT_ADDON_PATH names a binary explicitly. Loading never throws: a missing or broken addon
 * leaves `addon` null and records why.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeInfo {
  isa: string;
  detectedIsa: string;
  threads: number;
  napiVersion: number;
  compiler: string;
  mallocTuning: boolean;
  kernels: string[];
}

/** The addon's functions. Kernel signatures are declared where they are wrapped (one file per family). */
export interface NativeAddon {
  info(): NativeInfo;
  setNumThreads(n: number): number;
  setIsa(isa: 'generic' | 'avx2' | 'avx512'): string;
  [kernel: string]: unknown;
}

const require = createRequire(import.meta.url);

/** The directory holding package.json (dist/src/backend/native → four levels up, src/… → three). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'binding.gyp'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('convkit: cannot find the package root (binding.gyp) above ' + fileURLToPath(import.meta.url));
}

let loaded: { addon: NativeAddon | null; error: string | null; path: string | null } | null = null;

export function loadAddon(): { addon: NativeAddon | null; error: string | null; path: string | null } {
  if (loaded) return loaded;
  try {
    const root = packageRoot();
    const gypBuild = require('node-gyp-build') as { (dir: string): NativeAddon; resolve(dir: string): string };
    const path = process.env.CONVKIT_ADDON_PATH || gypBuild.resolve(root);
    const addon = require(path) as NativeAddon;
    if (typeof addon.info !== 'function') throw new Error(`${path} is not the convkit addon`);
    loaded = { addon, error: null, path };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    loaded = { addon: null, error: msg, path: null };
  }
  return loaded;
}
