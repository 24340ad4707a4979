/**
 * LayerScale (Touvron et al., 2021, "Going deeper with image transformers"): multiplies every
 * channel by a learned factor that starts small. Keras defines it as a custom class inside
 * keras/src/applications/convnext.py; convkit registers it under the same class name, with the
 * same config keys (`init_values`, `projection_dim`), so Keras's ConvNeXt files load.
 */
import { ValueError } from '../errors.js';
import { constant } from '../initializers/index.js';
import * as ops from '../ops/index.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import { formatShapeTuple, type SymShape } from './symbolic.js';

export interface LayerScaleArgs extends LayerArgs {
  /** Initial value of every factor (Keras: init_values; ConvNeXt uses 1e-6). */
  initValues: number;
  /** Number of channels (the input's last dimension; Keras: projection_dim). */
  projectionDim: number;
}

/** y = x · γ with γ of shape (projection_dim,), broadcast over the last axis; γ starts at `initValues`. */
export class LayerScale extends Layer {
  static override className = 'LayerScale';
  readonly initValues: number;
  readonly projectionDim: number;
  gamma!: Variable;

  constructor(args: LayerScaleArgs) {
    super(args);
    const initValues = args?.initValues;
    if (typeof initValues !== 'number' || !Number.isFinite(initValues)) {
      throw new ValueError(`LayerScale: init_values must be a finite number, got ${JSON.stringify(initValues)}`);
    }
    if (!Number.isInteger(args.projectionDim) || args.projectionDim <= 0) {
      throw new ValueError(`LayerScale: projection_dim must be a positive integer, got ${JSON.stringify(args.projectionDim)}`);
    }
    this.initValues = initValues;
    this.projectionDim = args.projectionDim;
  }

  override build(inputShape: SymShape): void {
    const last = inputShape[inputShape.length - 1];
    if (inputShape.length < 1 || (last !== null && last !== this.projectionDim)) {
      throw new ValueError(`Layer "${this.name}" (LayerScale): the input's last dimension must be projection_dim = ${this.projectionDim}, got input shape ${formatShapeTuple(inputShape)}`);
    }
    this.gamma = this.addWeight('gamma', [this.projectionDim], { initializer: constant(this.initValues) });
    this.inputSpec = { minNdim: 1, axes: { [-1]: this.projectionDim } };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    return inputShape;
  }

  call(x: Tensor): Tensor {
    return ops.mul(x, this.gamma);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), init_values: this.initValues, projection_dim: this.projectionDim };
  }
}
