/**
 * sharp is loaded on first use, not at import: a platform without its prebuilt libvips can still use
 * the rest of convkit, and gets an error naming what needed it only when it touches images.
 */
import { ConvkitError } from '../errors.js';

export type SharpLib = typeof import('sharp');
let sharpLib: Promise<SharpLib> | null = null;

/** `purpose` completes "… needs the sharp package", e.g. 'Reading and writing images'. */
export function loadSharp(purpose: string): Promise<SharpLib> {
  const loading = sharpLib ?? import('sharp').then((m) => ((m as unknown as { default?: SharpLib }).default ?? m) as SharpLib);
  sharpLib = loading;
  return loading.catch((e: unknown) => {
    sharpLib = null;
    throw new ConvkitError(`${purpose} needs the sharp package, which failed to load: ${(e as Error)?.message?.split('\n')[0]} (see https://sharp.pixelplumbing.com/install)`);
  });
}
