/** Padding names accepted by layers (Keras lower-case strings; upper-case TF spellings too). */
import { unknownName } from '../errors.js';

export type PaddingArg = 'valid' | 'same' | 'VALID' | 'SAME';

export function normalizePadding(p: string | undefined, layer: string): 'valid' | 'same' {
  const v = (p ?? 'valid').toLowerCase();
  if (v === 'valid' || v === 'same') return v;
  throw unknownName(`padding for layer "${layer}"`, p, ['valid', 'same']);
}
