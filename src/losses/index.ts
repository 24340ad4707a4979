/**
 * Keras losses, numerically stable: cross-entropies work from logits when `fromLogits` is set or
 * when the predictions came straight out of a softmax activation (whose logits are remembered).
 */
import { unknownName, ValueError, ShapeError } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { softmaxLogits } from '../layers/activation_util.js';

export const EPSILON = 1e-7;

export abstract class Loss {
  abstract readonly name: string;
  /** Per-sample losses, shape [batch]. */
  abstract call(yTrue: Tensor, yPred: Tensor): Tensor;
  /**
   * Mean over the batch (Keras's sum_over_batch_size reduction). With `sampleWeight` (one
   * weight per sample) each sample's loss is scaled first and the sum is still divided by the
   * number of elements, not by the weights' sum, as Keras does.
   */
  apply(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): Tensor {
    const perSample = this.call(yTrue, yPred);
    if (!sampleWeight) return ops.mean(perSample);
    const n = perSample.shape[0];
    if (sampleWeight.size !== n) {
      throw new ShapeError(`${this.name}: sample weights must hold one value per sample (${n}); got shape (${sampleWeight.shape.join(', ')})`);
    }
    const w = ops.reshape(sampleWeight, [n, ...perSample.shape.slice(1).map(() => 1)]);
    return ops.mean(ops.mul(perSample, w));
  }
  getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: 'sum_over_batch_size' };
  }
}

function checkBatch(yTrue: Tensor, yPred: Tensor, loss: string): void {
  if (yTrue.shape[0] !== yPred.shape[0]) {
    throw new ShapeError(`${loss}: y_true has ${yTrue.shape[0]} samples (shape (${yTrue.shape.join(', ')})) but y_pred has ${yPred.shape[0]} (shape (${yPred.shape.join(', ')}))`);
  }
}

/** log-probabilities along the last axis, from logits or from probabilities. */
function logProbs(yPred: Tensor, fromLogits: boolean): Tensor {
  if (fromLogits) return ops.logSoftmax(yPred, -1);
  const logits = softmaxLogits(yPred);
  if (logits) return ops.logSoftmax(logits, -1);
  const p = ops.div(yPred, ops.sum(yPred, -1, true));
  return ops.log(ops.clipByValue(p, EPSILON, 1 - EPSILON));
}

/** Labels as integer class indices, checked against the number of classes. */
export function sparseLabels(yTrue: Tensor, numClasses: number, who: string): Int32Array {
  const v = yTrue.values;
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const l = v[i];
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) {
      throw new ValueError(`${who}: label ${l} at index ${i} is out of range: expected integer class indices in [0, ${numClasses}) for ${numClasses} classes (the model's last layer has ${numClasses} units)`);
    }
    out[i] = l;
  }
  return out;
}

/** Cross-entropies share the choice between logits and probabilities. */
abstract class Crossentropy extends Loss {
  readonly fromLogits: boolean;
  constructor(opts: { fromLogits?: boolean } = {}) {
    super();
    this.fromLogits = opts.fromLogits ?? false;
  }
}

export class SparseCategoricalCrossentropy extends Crossentropy {
  readonly name = 'sparse_categorical_crossentropy';
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    checkBatch(yTrue, yPred, this.name);
    const n = yPred.shape[0];
    const c = yPred.shape[yPred.rank - 1];
    if (yTrue.size !== n) {
      throw new ShapeError(`${this.name}: expected one integer label per sample (shape (${n},) or (${n}, 1)), got y_true of shape (${yTrue.shape.join(', ')})`);
    }
    const labels = sparseLabels(yTrue, c, this.name);
    const logits = this.fromLogits ? yPred : softmaxLogits(yPred);
    if (logits && logits.rank === 2) return ops.sparseSoftmaxCrossEntropy(logits, labels);
    const flat = new Int32Array(n);
    for (let i = 0; i < n; i++) flat[i] = i * c + labels[i];
    const lp = ops.reshape(logProbs(yPred, this.fromLogits), [-1]);
    return ops.neg(ops.gather(lp, Array.from(flat)));
  }
  override getConfig() {
    return { ...super.getConfig(), from_logits: this.fromLogits, ignore_class: null };
  }
}

export class CategoricalCrossentropy extends Crossentropy {
  readonly name = 'categorical_crossentropy';
  readonly labelSmoothing: number;
  constructor(opts: { fromLogits?: boolean; labelSmoothing?: number } = {}) {
    super(opts);
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    checkBatch(yTrue, yPred, this.name);
    if (yTrue.shape.join() !== yPred.shape.join()) {
      throw new ShapeError(`${this.name}: y_true shape (${yTrue.shape.join(', ')}) must equal y_pred shape (${yPred.shape.join(', ')}) (one-hot labels; use sparse_categorical_crossentropy for integer labels)`);
    }
    let t = ops.cast(yTrue, 'float32');
    if (this.labelSmoothing > 0) {
      const c = yPred.shape[yPred.rank - 1];
      t = ops.add(ops.mul(t, 1 - this.labelSmoothing), this.labelSmoothing / c);
    }
    return ops.neg(ops.sum(ops.mul(t, logProbs(yPred, this.fromLogits)), -1));
  }
  override getConfig() {
    return { ...super.getConfig(), from_logits: this.fromLogits, label_smoothing: this.labelSmoothing, axis: -1 };
  }
}

export class BinaryCrossentropy extends Crossentropy {
  readonly name = 'binary_crossentropy';
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    checkBatch(yTrue, yPred, this.name);
    const z = ops.reshape(ops.cast(yTrue, 'float32'), yPred.shape);
    let elementwise: Tensor;
    if (this.fromLogits) {
      // max(x, 0) − x·z + log(1 + e^(−|x|)): never overflows.
      elementwise = ops.add(ops.sub(ops.relu(yPred), ops.mul(yPred, z)), ops.log1p(ops.exp(ops.neg(ops.abs(yPred)))));
    } else {
      const p = ops.clipByValue(yPred, EPSILON, 1 - EPSILON);
      elementwise = ops.neg(ops.add(ops.mul(z, ops.log(p)), ops.mul(ops.sub(1, z), ops.log(ops.sub(1, p)))));
    }
    return yPred.rank > 1 ? ops.mean(elementwise, -1) : elementwise;
  }
  override getConfig() {
    return { ...super.getConfig(), from_logits: this.fromLogits, label_smoothing: 0, axis: -1 };
  }
}

function regression(name: string, f: (d: Tensor) => Tensor) {
  return class extends Loss {
    readonly name = name;
    call(yTrue: Tensor, yPred: Tensor): Tensor {
      checkBatch(yTrue, yPred, name);
      const d = ops.sub(yPred, ops.reshape(ops.cast(yTrue, 'float32'), yPred.size === yTrue.size ? yPred.shape : yTrue.shape));
      return yPred.rank > 1 ? ops.mean(f(d), -1) : f(d);
    }
  };
}

export const MeanSquaredError = regression('mean_squared_error', ops.square);
export const MeanAbsoluteError = regression('mean_absolute_error', ops.abs);

const byName: Record<string, () => Loss> = {
  sparse_categorical_crossentropy: () => new SparseCategoricalCrossentropy(),
  categorical_crossentropy: () => new CategoricalCrossentropy(),
  binary_crossentropy: () => new BinaryCrossentropy(),
  mean_squared_error: () => new MeanSquaredError(),
  mse: () => new MeanSquaredError(),
  mean_absolute_error: () => new MeanAbsoluteError(),
  mae: () => new MeanAbsoluteError(),
};

export const LOSS_NAMES = Object.keys(byName);

export type LossSpec = string | Loss | ((yTrue: Tensor, yPred: Tensor) => Tensor);

/** Resolve 'sparse_categorical_crossentropy', 'sparseCategoricalCrossentropy', a Loss or a function. */
export function getLoss(spec: LossSpec): Loss {
  if (spec instanceof Loss) return spec;
  if (typeof spec === 'function') {
    const fn = spec;
    return new (class extends Loss {
      readonly name = fn.name || 'custom_loss';
      call(t: Tensor, p: Tensor) { return fn(t, p); }
    })();
  }
  const key = String(spec).replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const make = byName[key];
  if (!make) throw unknownName('loss', spec, LOSS_NAMES);
  return make();
}

export const sparseCategoricalCrossentropy = (o?: { fromLogits?: boolean }) => new SparseCategoricalCrossentropy(o);
export const categoricalCrossentropy = (o?: { fromLogits?: boolean; labelSmoothing?: number }) => new CategoricalCrossentropy(o);
export const binaryCrossentropy = (o?: { fromLogits?: boolean }) => new BinaryCrossentropy(o);
export const meanSquaredError = () => new MeanSquaredError();
export const meanAbsoluteError = () => new MeanAbsoluteError();
