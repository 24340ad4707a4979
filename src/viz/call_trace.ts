/**
 * Records the calls of chosen layers while a function runs: each call's concrete inputs and outputs,
 * in the order the calls finished. This is how a subclassed model's data flow (which lives only in its
 * call() code) becomes visible, and how Grad-CAM reads the input of a model's final layer. The layers'
 * own `call` is wrapped on the instance for the duration and restored afterwards.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { CallContext, Layer } from '../layers/layer.js';

export interface TracedCall {
  layer: Layer;
  inputs: Tensor[];
  outputs: Tensor[];
}

type CallFn = (inputs: Tensor | Tensor[], ctx: CallContext) => Tensor | Tensor[];

export function traceLayerCalls<T>(layers: readonly Layer[], fn: () => T): { result: T; calls: TracedCall[] } {
  const calls: TracedCall[] = [];
  const restore: (() => void)[] = [];
  for (const layer of new Set(layers)) {
    const target = layer as unknown as { call: CallFn };
    const hadOwn = Object.prototype.hasOwnProperty.call(layer, 'call');
    const previous = target.call;
    target.call = (inputs, ctx) => {
      const out = previous.call(layer, inputs, ctx);
      calls.push({ layer, inputs: Array.isArray(inputs) ? [...inputs] : [inputs], outputs: Array.isArray(out) ? [...out] : [out] });
      return out;
    };
    restore.push(() => {
      if (hadOwn) target.call = previous;
      else delete (target as { call?: CallFn }).call;
    });
  }
  try {
    return { result: fn(), calls };
  } finally {
    for (const undo of restore) undo();
  }
}
