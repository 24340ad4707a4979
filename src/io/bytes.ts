/** Byte-array helpers shared by the file formats. */

/**
 * `parts` back to back in one new Uint8Array. Not Buffer.concat: a Buffer's slice() shares
 * memory, which callers that copy with slice() before mutating would not expect.
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
