/**
 * Sequential: a plain stack of layers. Once the input shape is known (from the first layer's
 * inputShape, an Input/InputLayer, build(), or the first call) every layer is traced
 * symbolically, so shapes are checked and weights exist before any data flows, as in Keras 3.
 */
import { applyChains, fusionActive, planStack } from './inference_fusion.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type CallContext, Layer } from '../layers/layer.js';
import { InputLayer } from '../layers/input.js';
import { isBuiltinLayer } from '../layers/registry.js';
import { recycleStorage } from '../tensor/recycle.js';
import { formatShapeTuple, type SymShape, SymbolicTensor } from '../layers/symbolic.js';
import { Model } from './model.js';
import { noteStructureChange, registerContainerCall } from './inference_plan.js';

export interface SequentialArgs {
  layers?: Layer[];
  name?: string;
  trainable?: boolean;
}

export class Sequential extends Model {
  static override className = 'Sequential';
  private stack: Layer[] = [];
  private inputLayer: InputLayer | null = null;
  private traced: SymbolicTensor | null = null;
  private shapes = new Map<Layer, SymShape>();

  constructor(args: SequentialArgs | Layer[] = {}) {
    const opts = Array.isArray(args) ? { layers: args } : args;
    super({ name: opts.name, trainable: opts.trainable });
    for (const l of opts.layers ?? []) this.add(l);
  }

  /** Append a layer; shapes are checked immediately when the input shape is known. */
  add(layer: Layer | SymbolicTensor): void {
    if (layer instanceof SymbolicTensor) {
      if (!(layer.node.layer instanceof InputLayer)) throw new ValueError('Sequential.add: only Input() tensors or layers can be added');
      layer = layer.node.layer;
    }
    if (!(layer instanceof Layer)) throw new ValueError(`Sequential.add: expected a Layer, got ${layer === null ? 'null' : typeof layer}`);
    if (layer instanceof InputLayer) {
      if (this.inputLayer || this.stack.length > 0) throw new ValueError(`Sequential "${this.name}": an InputLayer can only be the first layer`);
      this.startTrace(layer);
      return;
    }
    if (this.stack.includes(layer)) throw new ValueError(`Sequential "${this.name}": layer "${layer.name}" was already added`);
    if (this.stack.some((l) => l.name === layer.name)) {
      throw new ValueError(`Sequential "${this.name}": all layers must have unique names; "${layer.name}" is already used`);
    }
    this.stack.push(layer);
    noteStructureChange();
    if (!this.traced && this.stack.length === 1) {
      // A functional model as the first layer (a pretrained base) brings its input shape, as in Keras 3.
      const shape = layer.batchInputShape ?? (layer instanceof Model && layer.inputs.length === 1 ? layer.inputs[0].shape : null);
      if (shape) {
        this.startTrace(new InputLayer({ batchShape: shape }));
        return;
      }
    }
    if (this.traced) this.traceLayer(layer);
  }

  /** Remove the last layer. */
  pop(): void {
    const l = this.stack.pop();
    if (!l) throw new ValueError(`Sequential "${this.name}" has no layers to pop`);
    noteStructureChange();
    this.shapes.delete(l);
    if (this.inputLayer) this.retrace();
  }

  private startTrace(input: InputLayer): void {
    this.inputLayer = input;
    this.retrace();
  }

  private retrace(): void {
    if (!this.inputLayer) return;
    this.traced = this.inputLayer.output;
    this.shapes.clear();
    for (const l of this.stack) this.traceLayer(l);
    this.built = true;
    this.builtInputShape = this.inputLayer.batchShape;
  }

  private traceLayer(layer: Layer): void {
    const out = layer.apply(this.traced as SymbolicTensor);
    this.traced = out;
    this.shapes.set(layer, out.shape);
  }

  override get layers(): Layer[] {
    return [...this.stack];
  }

  get inputShape(): SymShape | null {
    return this.inputLayer?.batchShape ?? null;
  }

  override build(inputShape: SymShape | SymShape[]): void {
    if (this.traced) return;
    const shape = inputShape as SymShape;
    this.startTrace(new InputLayer({ batchShape: [null, ...shape.slice(1)] }));
  }

  protected override assertInputCompatible(shapes: SymShape | SymShape[]): void {
    const expected = this.inputLayer?.batchShape;
    if (!expected) return;
    const shape = shapes as SymShape;
    const ok = shape.length === expected.length && expected.every((d, j) => d === null || shape[j] === null || d === shape[j]);
    if (!ok) {
      const first = this.stack[0];
      throw new ValueError(`Input 0 of layer "${first?.name ?? this.name}" (in Sequential "${this.name}") is incompatible with the layer: expected shape=${formatShapeTuple(expected)}, found shape=${formatShapeTuple(shape)}`);
    }
  }

  override computeOutputShape(inputShape: SymShape | SymShape[]): SymShape | SymShape[] {
    if (!this.traced) this.build(inputShape);
    this.assertInputCompatible(inputShape);
    return (this.traced as SymbolicTensor).shape;
  }

  override call(x: Tensor | Tensor[], ctx: CallContext): Tensor {
    if (this.stack.length === 0) throw new ValueError(`Sequential "${this.name}" has no layers`);
    let out = x as Tensor;
    if (fusionActive(ctx.training)) {
      // Inference: conv → BN (→ activation) runs as one folded convolution.
      // Each intermediate is read only by the next step, so its storage is reused right after
      // (tensor/recycle.ts) when both layers are convkit's own and it shares nothing live.
      const input = x as Tensor;
      const plan = planStack(this.stack);
      let producer: Layer | null = null;
      for (let i = 0; i < this.stack.length; i++) {
        const chain = plan[i];
        const layer = chain ? chain.conv : this.stack[i];
        const prev = out;
        if (chain) {
          out = applyChains(out, chain, chain.then);
          i += chain.length - 1;
        } else {
          out = layer.apply(out, ctx);
        }
        const shared = prev.values.buffer === out.values.buffer || prev.values.buffer === input.values.buffer;
        if (producer && !shared && isBuiltinLayer(producer) && isBuiltinLayer(layer)) recycleStorage(prev);
        producer = layer;
      }
      return out;
    }
    for (const l of this.stack) out = l.apply(out, ctx);
    return out;
  }

  override layerOutputShape(layer: Layer): SymShape | null {
    return this.shapes.get(layer) ?? null;
  }
}

registerContainerCall(Sequential.prototype.call);
