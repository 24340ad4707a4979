/**
 * What the gradient pictures (effective receptive field, Grad-CAM) need from a model: its image input
 * shape, a layer found by name (also inside nested models), and a forward pass that records gradients
 * and hands back one layer's output.
 */
import { ValueError } from '../errors.js';
import { type Layer, withOutputProbe } from '../layers/layer.js';
import { InputLayer } from '../layers/input.js';
import type { SymShape } from '../layers/symbolic.js';
import { Model } from '../models/model.js';
import { Sequential } from '../models/sequential.js';
import type { Tensor } from '../tensor/tensor.js';

/** The model's input as [height, width, channels]; a ValueError unless it takes fixed-size images. */
export function imageInputShape(model: Model): [number, number, number] {
  let shape: SymShape | null = null;
  if (model instanceof Sequential) shape = model.inputShape;
  else if (model.isFunctional) shape = model.inputs[0].shape;
  else {
    const s = model.builtInputShape;
    shape = s && !(s.length > 0 && Array.isArray(s[0])) ? (s as SymShape) : null;
  }
  if (!shape || shape.length !== 4) {
    throw new ValueError(`Model "${model.name}" does not take images (batch, height, width, channels); its input is ${shape ? `(${shape.join(', ')})` : 'unknown (build it first)'}`);
  }
  const [, h, w, c] = shape;
  if (h === null || w === null || c === null) throw new ValueError(`Model "${model.name}" has no fixed input size (${shape.map((d) => d ?? 'None').join(', ')}); build it with a concrete inputShape`);
  return [h, w, c];
}

/** Every layer inside `model` (nested models and their layers too), input layers left out. */
export function allLayers(model: Model): Layer[] {
  return model.subLayers().flatMap((l) => (l instanceof Model ? [...allLayers(l), l] : l instanceof InputLayer ? [] : [l]));
}

/** The layers that compute (nested models left out: their own layers are listed instead). */
export function leafLayers(model: Model): Layer[] {
  return allLayers(model).filter((l) => !(l instanceof Model));
}

export function findLayer(model: Model, name: string): Layer {
  const layers = allLayers(model);
  const found = layers.find((l) => l.name === name);
  if (!found) throw new ValueError(`No such layer: "${name}". Layers of "${model.name}": ${layers.map((l) => l.name).join(', ')}`);
  return found;
}

/** Thrown from the output probe to end a forward pass once the wanted output exists. */
class Reached {
  constructor(readonly output: Tensor) {}
}

/**
 * Runs `model` on `x` (inference mode; gradients are recorded because the callers differentiate) and
 * returns the output of `layer`'s first call. The pass stops right there: later layers never run.
 */
export function outputOf(model: Model, x: Tensor, layer: Layer): Tensor {
  try {
    withOutputProbe((l, outs) => {
      if (l === layer) throw new Reached(outs[0]);
    }, () => model.apply(x, { training: false }));
  } catch (e) {
    if (e instanceof Reached) return e.output;
    throw e;
  }
  throw new ValueError(`Layer "${layer.name}" did not run when "${model.name}" was called, so it has no output to differentiate`);
}

/** The output's shape as text, batch shown as None. */
export function shapeText(shape: readonly number[]): string {
  return `(None, ${shape.slice(1).join(', ')})`;
}
