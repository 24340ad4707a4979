/**
 * Non-finite training steps: a NaN or infinite loss or gradient is caught before the optimizer
 * applies it, so the weights stay those of the last good batch, and the layer where the bad
 * values began is named. Finding that layer costs nothing on good steps: only a failed step
 * re-runs the forward pass with a probe on every layer's output.
 */
import { allFinite } from '../ops/reduce.js';
import { flatLayers } from '../layers/layer_tree.js';
import { Layer, withOutputProbe } from '../layers/layer.js';
import type { Random, RandomState } from '../tensor/random.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import type { Model } from './model.js';

export interface StepFault {
  epoch: number;
  /** 0-based batch within the epoch. */
  batch: number;
  /** 'loss' when the loss itself is not finite, 'gradient' when only gradients are. */
  kind: 'loss' | 'gradient';
  loss: number;
  /** Where the non-finite values began: a layer's name, or null when only the loss function produced them. */
  layer: string | null;
  layerClass: string | null;
  message: string;
}

/** The layer that owns `v` directly (not through nesting). */
function ownerOf(model: Model, v: Variable): Layer | null {
  for (const l of flatLayers(model)) {
    if (l.subLayers().length === 0 && l.weights.includes(v)) return l;
  }
  return null;
}

/**
 * Copies of the non-trainable variables (batch-norm moving statistics), which a training forward
 * pass updates even when its step is then rejected. Buffers are allocated once per fit.
 */
export class NonTrainableSnapshot {
  private readonly buffers: Float64Array[];
  constructor(private readonly vars: readonly Variable[]) {
    this.buffers = vars.map((v) => new Float64Array(v.values.length));
  }

  take(): void {
    this.vars.forEach((v, i) => this.buffers[i].set(v.values));
  }

  restore(): void {
    this.vars.forEach((v, i) => v.assign(this.buffers[i]));
  }
}

function describe(layer: Layer | null): string {
  return layer ? `layer "${layer.name}" (${layer.className})` : 'the loss function';
}

/**
 * Works out where a failed step's non-finite values began. `rerunForward` repeats the step's
 * forward pass (the caller restores everything it changes: random generators, moving statistics).
 */
export function diagnoseStep(
  model: Model, epoch: number, batch: number, loss: number, grads: readonly (Tensor | null)[], vars: readonly Variable[],
  rerunForward: () => void,
): StepFault {
  let layer: Layer | null = null;
  let kind: StepFault['kind'] = 'gradient';
  if (!Number.isFinite(loss)) {
    kind = 'loss';
    try {
      withOutputProbe((l, outs) => {
        if (layer === null && l !== model && outs.some((t) => !allFinite(t))) layer = l;
      }, rerunForward);
    } catch {
      // The forward pass itself failing is reported by the step; here only the location matters.
    }
  } else {
    // The gradient closest to the loss is where backpropagation first produced non-finite values.
    for (let i = vars.length - 1; i >= 0; i--) {
      const g = grads[i];
      if (g && !allFinite(g)) {
        layer = ownerOf(model, vars[i]);
        break;
      }
    }
  }
  const found = layer as Layer | null;
  const what = kind === 'loss' ? `the loss is ${loss}` : `the loss is finite (${loss.toPrecision(6)}) but the gradients are not`;
  const where = kind === 'loss'
    ? `the first non-finite values appear in the output of ${describe(found)}`
    : `the first non-finite gradient belongs to ${describe(found)}`;
  return {
    epoch, batch, kind, loss,
    layer: found ? found.name : null,
    layerClass: found ? found.className : null,
    message: `Epoch ${epoch + 1}, batch ${batch + 1}: ${what}; ${where}. The update from this batch was not applied: the weights are those after the previous batch`,
  };
}

/** The states of generators, to undo the draws of a diagnostic forward pass. */
export function generatorStates(gens: readonly Random[]): RandomState[] {
  return gens.map((g) => g.getState());
}
