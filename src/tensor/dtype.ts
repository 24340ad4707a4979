import type { DataArray } from '../backend/backend.js';
import { ValueError } from '../errors.js';

/**
 * float32 is what models use; float64 exists so gradient checks can use central differences
 * without float32 round-off swamping the comparison; int32 holds labels and indices.
 */
export type DType = 'float32' | 'float64' | 'int32';

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

export function allocArray(dtype: DType, size: number): DataArray {
  switch (dtype) {
    case 'float32': return new Float32Array(size);
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
  }
}

export function dtypeOf(a: DataArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  return 'int32';
}

export function checkDType(d: unknown): DType {
  if (d === 'float32' || d === 'float64' || d === 'int32') return d;
  throw new ValueError(`Unknown dtype ${JSON.stringify(d)}. Valid dtypes: ${DTYPES.join(', ')}`);
}
