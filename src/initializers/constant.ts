/** Initializers with fixed values: Zeros, Ones, Constant, Identity (keras constant_initializers). */
import { ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { Initializer, type FloatDType, type InitializerConfig, allocFor, checkFinite, checkKeys } from './initializer.js';

/** All zeros (Keras `Zeros`, 'zeros'). */
export class Zeros extends Initializer {
  readonly className = 'Zeros';

  apply(shape: readonly number[], dtype?: FloatDType): Tensor {
    const { data } = allocFor(shape, dtype, 'Zeros');
    return new Tensor(data, shape);
  }

  getConfig(): InitializerConfig {
    return {};
  }
}

/** All ones (Keras `Ones`, 'ones'). */
export class Ones extends Initializer {
  readonly className = 'Ones';

  apply(shape: readonly number[], dtype?: FloatDType): Tensor {
    const { data } = allocFor(shape, dtype, 'Ones');
    data.fill(1);
    return new Tensor(data, shape);
  }

  getConfig(): InitializerConfig {
    return {};
  }
}

export interface ConstantOptions {
  /** The scalar every element gets. Defaults to 0. */
  value?: number;
}

/** Every element equal to `value` (Keras `Constant(value=0.0)`). */
export class Constant extends Initializer {
  readonly className = 'Constant';
  readonly value: number;

  constructor(opts: ConstantOptions | number = {}) {
    super();
    const o = typeof opts === 'number' ? { value: opts } : opts;
    checkKeys(o, ['value'], 'Constant');
    this.value = checkFinite(o.value ?? 0, 'value', 'Constant');
  }

  apply(shape: readonly number[], dtype?: FloatDType): Tensor {
    const { data } = allocFor(shape, dtype, 'Constant');
    if (this.value !== 0) data.fill(this.value);
    return new Tensor(data, shape);
  }

  getConfig(): InitializerConfig {
    return { value: this.value };
  }
}

export interface IdentityOptions {
  /** Multiplies the identity matrix. Defaults to 1. */
  gain?: number;
}

/** gain × the (possibly rectangular) identity matrix; 2-D shapes only (Keras `Identity`). */
export class Identity extends Initializer {
  readonly className = 'Identity';
  readonly gain: number;

  constructor(opts: IdentityOptions = {}) {
    super();
    checkKeys(opts, ['gain'], 'Identity');
    this.gain = checkFinite(opts.gain ?? 1, 'gain', 'Identity');
  }

  apply(shape: readonly number[], dtype?: FloatDType): Tensor {
    if (shape.length !== 2) {
      throw new ShapeError(`Identity initializer can only be used for 2D matrices, got shape [${shape.join(', ')}] of rank ${shape.length}`);
    }
    const { data } = allocFor(shape, dtype, 'Identity');
    const [rows, cols] = shape;
    for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] = this.gain;
    return new Tensor(data, shape);
  }

  getConfig(): InitializerConfig {
    return { gain: this.gain };
  }
}
