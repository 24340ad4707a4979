/** File hashes as Keras's get_file understands them: md5 or sha256 hex digests, 'auto' telling them apart by length. */

import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

import { ValueError, unknownName } from '../../errors.js';

export type HashAlgorithm = 'sha256' | 'md5';
export type HashAlgorithmOption = HashAlgorithm | 'auto';

const DIGEST_LENGTH: Record<HashAlgorithm, number> = { sha256: 64, md5: 32 };
const ALGORITHM_OPTIONS: readonly HashAlgorithmOption[] = ['auto', 'sha256', 'md5'];

export interface ExpectedHash {
  algorithm: HashAlgorithm;
  /** Lower-case hex digest. */
  digest: string;
}

/**
 * Checks `fileHash`/`algorithm` and says which digest to compare with, or null when no hash was given.
 * 'auto' follows Keras (64 hex digits: sha256, 32: md5) but rejects other lengths instead of guessing md5,
 * since a truncated hash could then never match.
 */
export function resolveExpectedHash(fileHash: unknown, algorithm: unknown = 'auto'): ExpectedHash | null {
  if (!ALGORITHM_OPTIONS.includes(algorithm as HashAlgorithmOption)) {
    throw unknownName('hash algorithm', algorithm, ALGORITHM_OPTIONS);
  }
  if (fileHash === undefined || fileHash === null) return null;
  if (typeof fileHash !== 'string' || !/^[0-9a-fA-F]+$/.test(fileHash)) {
    throw new ValueError(`fileHash must be a hex digest (32 hex digits for md5, 64 for sha256), got ${JSON.stringify(fileHash)}`);
  }
  const digest = fileHash.toLowerCase();
  if (algorithm === 'auto') {
    if (digest.length === 64) return { algorithm: 'sha256', digest };
    if (digest.length === 32) return { algorithm: 'md5', digest };
    throw new ValueError(
      `fileHash has ${digest.length} hex digits; expected 64 (sha256) or 32 (md5): ${JSON.stringify(fileHash)}`,
    );
  }
  const algo = algorithm as HashAlgorithm;
  if (digest.length !== DIGEST_LENGTH[algo]) {
    throw new ValueError(
      `fileHash has ${digest.length} hex digits but a ${algo} digest has ${DIGEST_LENGTH[algo]}: ${JSON.stringify(fileHash)}`,
    );
  }
  return { algorithm: algo, digest };
}

export function newHasher(algorithm: HashAlgorithm): Hash {
  return createHash(algorithm);
}

/** Streams the file through `hasher` (without finishing it), so a resumed download can continue hashing after it. */
export async function feedFile(hasher: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hasher.update(chunk as Buffer);
}

export async function hashFile(path: string, algorithm: HashAlgorithm): Promise<string> {
  const hasher = newHasher(algorithm);
  await feedFile(hasher, path);
  return hasher.digest('hex');
}
