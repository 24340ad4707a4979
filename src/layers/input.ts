/** InputLayer and Input(): the entry points of functional models. */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import { type GraphNode, type SymShape, SymbolicTensor } from './symbolic.js';

export interface InputArgs {
  /** Shape of one sample (no batch dimension). */
  shape?: readonly (number | null)[];
  batchSize?: number;
  /** Full shape including the batch dimension (Keras 3 batch_shape). */
  batchShape?: readonly (number | null)[];
  name?: string;
  dtype?: string;
}

export class InputLayer extends Layer {
  static override className = 'InputLayer';
  readonly batchShape: SymShape;
  readonly output: SymbolicTensor;

  constructor(args: InputArgs & LayerArgs = {}) {
    const batchShape = args.batchShape ?? args.batchInputShape ?? (args.shape ?? args.inputShape ? [args.batchSize ?? null, ...(args.shape ?? args.inputShape ?? [])] : null);
    if (!batchShape) throw new ValueError('Input: give `shape` (one sample, without the batch dimension) or `batchShape`');
    for (const d of batchShape.slice(1)) {
      if (d !== null && (!Number.isInteger(d) || d <= 0)) throw new ValueError(`Input: shape dimensions must be positive integers or null, got ${JSON.stringify(batchShape.slice(1))}`);
    }
    super({ name: args.name, batchInputShape: batchShape });
    this.batchShape = [...batchShape];
    this.built = true;
    const node: GraphNode = { layer: this, inputs: [], outputs: [], inputsAsList: false };
    this.output = new SymbolicTensor(this.batchShape, 'float32', node, 0, this.name);
    node.outputs = [this.output];
    this.inboundNodes.push(node);
  }

  call(inputs: Tensor | Tensor[]): Tensor | Tensor[] {
    return inputs;
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, batch_shape: [...this.batchShape], dtype: 'float32', sparse: false };
  }
}

/** A symbolic input for the functional API: `const x = Input({ shape: [28, 28, 1] })`. */
export function Input(args: InputArgs): SymbolicTensor {
  return new InputLayer(args).output;
}
