/**
 * NumPy `.npz` archives (np.savez / np.savez_compressed): a zip whose members `<name>.npy` are arrays.
 * The zip is untrusted: member names, compression methods and declared sizes are checked before
 * anything is inflated, so a zip bomb fails with a clear error instead of exhausting memory.
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { FormatError } from '../../errors.js';
import { parseNpy, type NpyArray } from './npy.js';

export interface NpzOptions {
  /** Read only these arrays (names without `.npy`); default: all. */
  only?: readonly string[];
  /** Largest accepted uncompressed member, in bytes (default 512 MiB). */
  maxMemberBytes?: number;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

export function readNpz(bytes: Uint8Array, source: string, opts: NpzOptions = {}): Map<string, NpyArray> {
  if (!ZIP_MAGIC.every((b, i) => bytes[i] === b)) throw new FormatError(`${source}: not an .npz file (an .npz is a zip archive of .npy arrays)`);
  const maxMember = opts.maxMemberBytes ?? 512 * 2 ** 20;
  const wanted = opts.only === undefined ? null : new Set(opts.only.map((n) => `${n}.npy`));
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f: UnzipFileInfo) => {
        if (wanted !== null && !wanted.has(f.name)) return false;
        if (f.compression !== 0 && f.compression !== 8) throw new FormatError(`${f.name} uses zip compression method ${f.compression} (npz members are stored or deflated)`);
        if (f.originalSize > maxMember) throw new FormatError(`${f.name} claims ${f.originalSize} bytes uncompressed, more than the ${maxMember}-byte limit`);
        return true;
      },
    });
  } catch (e) {
    throw new FormatError(`${source}: the .npz archive cannot be unpacked: ${(e as Error).message}`);
  }
  const out = new Map<string, NpyArray>();
  for (const [member, data] of Object.entries(files)) {
    if (!member.endsWith('.npy')) continue;
    out.set(member.slice(0, -4), parseNpy(data, `${source}: ${member}`));
  }
  if (wanted !== null) {
    const missing = [...wanted].filter((m) => !(m in files)).map((m) => m.slice(0, -4));
    if (missing.length > 0) {
      throw new FormatError(`${source}: the .npz archive lacks ${missing.join(', ')} (it holds ${[...out.keys()].join(', ') || 'no arrays'})`);
    }
  }
  return out;
}
