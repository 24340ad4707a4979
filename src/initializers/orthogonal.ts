/** Orthogonal matrices from the QR decomposition of a Gaussian matrix (Keras `Orthogonal`). */
import { ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import {
  type FloatDType, type InitializerConfig, RandomInitializer, type SeedOptions,
  allocFor, checkFinite, checkKeys,
} from './initializer.js';

export interface OrthogonalOptions extends SeedOptions {
  /** Multiplies the orthogonal matrix. Defaults to 1. */
  gain?: number;
}

/**
 * The weight is viewed as a matrix [prod(shape[:-1]), shape[-1]]. A Gaussian matrix of shape
 * [max(rows, cols), min(rows, cols)] is QR-decomposed with R's diagonal made positive (Keras's
 * `q *= sign(diag(r))`), Q is transposed when rows < cols, scaled by `gain` and reshaped. So
 * the columns (rows < cols: the rows) are orthonormal. Shapes of rank < 2 are rejected.
 */
export class Orthogonal extends RandomInitializer {
  readonly className = 'Orthogonal';
  readonly gain: number;

  constructor(opts: OrthogonalOptions = {}) {
    checkKeys(opts, ['gain', 'seed'], 'Orthogonal');
    super(opts.seed, 'Orthogonal');
    this.gain = checkFinite(opts.gain ?? 1, 'gain', 'Orthogonal');
  }

  apply(shape: readonly number[], dtype?: FloatDType): Tensor {
    if (shape.length < 2) {
      throw new ShapeError(`Orthogonal initializer needs a tensor of rank >= 2, got shape [${shape.join(', ')}] of rank ${shape.length}`);
    }
    const { data } = allocFor(shape, dtype, 'Orthogonal');
    const cols = shape[shape.length - 1];
    const rows = data.length / Math.max(1, cols);
    if (data.length === 0) return new Tensor(data, shape);
    const m = Math.max(rows, cols);
    const n = Math.min(rows, cols);
    const rng = this.rng();
    // The Gaussian matrix [m, n] is drawn row-major (as Keras draws it), then held by columns.
    const q: Float64Array[] = [];
    for (let j = 0; j < n; j++) q.push(new Float64Array(m));
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[j][i] = rng.normal();
    // Modified Gram–Schmidt, run twice per column for orthogonality to round-off: the result is
    // the QR factor whose R has a positive diagonal, exactly what the sign fix-up gives.
    for (let j = 0; j < n; j++) {
      const v = q[j];
      for (let pass = 0; pass < 2; pass++) {
        for (let k = 0; k < j; k++) {
          const u = q[k];
          let dot = 0;
          for (let i = 0; i < m; i++) dot += u[i] * v[i];
          for (let i = 0; i < m; i++) v[i] -= dot * u[i];
        }
      }
      let norm = 0;
      for (let i = 0; i < m; i++) norm += v[i] * v[i];
      norm = Math.sqrt(norm);
      for (let i = 0; i < m; i++) v[i] /= norm;
    }
    if (rows >= cols) {
      // Output [rows, cols] = Q [m, n].
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = this.gain * q[j][i];
    } else {
      // Output [rows, cols] = Qᵀ: row i is Q's column i.
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = this.gain * q[i][j];
    }
    return new Tensor(data, shape);
  }

  override getConfig(): InitializerConfig {
    return { ...super.getConfig(), gain: this.gain };
  }
}
