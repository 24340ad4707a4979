/** Symbolic tensors: shapes flowing through the functional API before any data exists. */
import type { DType } from '../tensor/dtype.js';
import type { Layer } from './layer.js';

/** A shape whose batch (or any unknown) dimension is null. */
export type SymShape = readonly (number | null)[];

/** One call of a layer on symbolic inputs. */
export interface GraphNode {
  layer: Layer;
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  /** Whether the layer was called with a list (merge layers) rather than one tensor. */
  inputsAsList: boolean;
  /**
   * `training` given at this call (Keras's `base(x, training=False)`): the layer always runs in
   * that mode here, whatever mode the model runs in — how a fine-tuned base keeps its batch-norm
   * statistics frozen.
   */
  training?: boolean;
}

/** Keras's KerasTensor: a placeholder with a shape, produced by Input() and by calling layers on it. */
export class SymbolicTensor {
  constructor(
    readonly shape: SymShape,
    readonly dtype: DType,
    /** The node that produced it (for Input(), the InputLayer's node). */
    readonly node: GraphNode,
    readonly outputIndex: number,
    readonly name: string,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `<SymbolicTensor shape=${formatShapeTuple(this.shape)}, dtype=${this.dtype}, name=${this.name}>`;
  }
}

/** `(None, 28, 28, 1)` — Python tuple notation, as Keras prints shapes. */
export function formatShapeTuple(shape: readonly (number | null)[]): string {
  const parts = shape.map((d) => (d === null || d === undefined ? 'None' : String(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}
