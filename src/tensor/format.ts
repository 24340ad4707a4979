/** Printing tensors the way NumPy / TensorFlow.js users expect to read them. */
import type { Tensor } from './tensor.js';

const EDGE = 3;
const MAX_FULL = 1000;

function formatNumber(v: number, dtype: string): string {
  if (dtype === 'int32') return String(v);
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return v.toExponential(4);
  return Number(v.toFixed(4)).toString();
}

export function formatTensor(t: Tensor): string {
  const { shape, dtype } = t;
  const d = t.values;
  const summarise = d.length > MAX_FULL;
  const strings: string[] = [];
  for (let i = 0; i < d.length; i++) strings.push(formatNumber(d[i], dtype));
  const width = strings.reduce((w, s) => Math.max(w, s.length), 0);
  const pad = (s: string) => s.padStart(width);
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  const render = (dim: number, offset: number, indent: string): string => {
    if (shape.length === 0) return strings[0];
    const n = shape[dim];
    const idx: (number | null)[] = [];
    if (summarise && n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) idx.push(i);
      idx.push(null);
      for (let i = n - EDGE; i < n; i++) idx.push(i);
    } else {
      for (let i = 0; i < n; i++) idx.push(i);
    }
    if (dim === shape.length - 1) {
      return '[' + idx.map((i) => (i === null ? '...' : pad(strings[offset + i]))).join(', ') + ']';
    }
    const sep = ',' + '\n'.repeat(shape.length - dim - 1) + indent + ' ';
    return '[' + idx.map((i) => (i === null ? '...' : render(dim + 1, offset + i * strides[dim], indent + ' '))).join(sep) + ']';
  };
  return `Tensor(shape=[${shape.join(', ')}], dtype=${dtype})\n${render(0, 0, '')}`;
}
