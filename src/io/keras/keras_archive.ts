/**
 * Keras 3 `.keras` archives: a zip of `metadata.json`, `config.json` and `model.weights.h5`
 * (Keras writes them uncompressed; we accept deflate too, as any zip tool may recompress).
 *
 * The zip is untrusted input: entries are checked (names, compression method, declared sizes)
 * before anything is inflated, so a zip bomb or a foreign archive fails with a clear error.
 */
import { unzipSync, zipSync, type UnzipFileInfo } from 'fflate';
import { FormatError } from '../../errors.js';
import { CONVKIT_VERSION } from '../../version.js';

export const KERAS_MEMBERS = ['metadata.json', 'config.json', 'model.weights.h5'] as const;

export interface KerasArchive {
  config: unknown;
  metadata: Record<string, unknown>;
  weights: Uint8Array;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** Inflated members may be at most this many times the archive's size (plus slack for tiny files). */
const MAX_EXPANSION = 64;

export function looksLikeZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

function parseJson(bytes: Uint8Array, member: string, source: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new FormatError(`${source}: ${member} in the .keras archive is not valid JSON (${(e as Error).message})`);
  }
}

export function readKerasArchive(bytes: Uint8Array, source: string): KerasArchive {
  if (!looksLikeZip(bytes)) throw new FormatError(`${source}: not a .keras archive (a .keras file is a zip holding ${KERAS_MEMBERS.join(', ')})`);
  const limit = bytes.length * MAX_EXPANSION + (1 << 20);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f: UnzipFileInfo) => {
        if (!(KERAS_MEMBERS as readonly string[]).includes(f.name)) return false;
        if (f.compression !== 0 && f.compression !== 8) throw new FormatError(`${f.name} uses zip compression method ${f.compression}; .keras members are stored or deflated`);
        if (f.originalSize > limit) throw new FormatError(`${f.name} claims ${f.originalSize} bytes uncompressed, more than ${MAX_EXPANSION}× the archive`);
        return true;
      },
    });
  } catch (e) {
    throw new FormatError(`${source}: the .keras archive cannot be unpacked: ${(e as Error).message}`);
  }
  const missing = KERAS_MEMBERS.filter((m) => !files[m]);
  if (missing.length > 0) throw new FormatError(`${source}: the .keras archive lacks ${missing.join(', ')} (it holds ${Object.keys(files).join(', ') || 'none of the Keras members'})`);
  const metadata = parseJson(files['metadata.json']!, 'metadata.json', source);
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) throw new FormatError(`${source}: metadata.json is not a JSON object`);
  return { config: parseJson(files['config.json']!, 'config.json', source), metadata: metadata as Record<string, unknown>, weights: files['model.weights.h5']! };
}

/** Keras's date_saved format: `2025-09-13@16:54:06`. */
function kerasDate(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', '@');
}

export function writeKerasArchive(config: unknown, weights: Uint8Array, kerasVersion: string): Uint8Array {
  const json = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
  const metadata = { keras_version: kerasVersion, date_saved: kerasDate(new Date()), convkit_version: CONVKIT_VERSION };
  return zipSync(
    { 'metadata.json': json(metadata), 'config.json': json(config), 'model.weights.h5': weights },
    { level: 0 },
  );
}
