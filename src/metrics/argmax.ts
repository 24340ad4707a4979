/** The index of the largest of `c` values starting at `off` (the first one on ties, as NumPy's argmax). */
export function argmaxRow(p: ArrayLike<number>, off: number, c: number): number {
  let best = 0;
  for (let j = 1; j < c; j++) if (p[off + j] > p[off + best]) best = j;
  return best;
}
