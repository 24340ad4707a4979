/** The explorer's prediction: the k most probable classes of one output row. */

export interface Ranked {
  class: number;
  probability: number;
}

/**
 * The k most probable classes. A model ending in logits (values outside [0, 1] or not summing to 1) is
 * passed through a softmax first, so the page always shows probabilities.
 */
export function topK(row: ArrayLike<number>, k: number): Ranked[] {
  let probs = Array.from(row);
  const sum = probs.reduce((a, b) => a + b, 0);
  const isDistribution = probs.every((p) => p >= 0 && p <= 1) && Math.abs(sum - 1) < 1e-3;
  if (!isDistribution) {
    const m = Math.max(...probs);
    const e = probs.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    probs = e.map((v) => v / z);
  }
  return probs.map((probability, c) => ({ class: c, probability })).sort((a, b) => b.probability - a.probability).slice(0, k);
}
