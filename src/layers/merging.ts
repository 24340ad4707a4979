/** Merge layers for branching graphs: Add, Concatenate, and Keras 3's element-wise merges (Multiply, Average, Maximum, Minimum, Subtract). */
import { ShapeError, ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import { formatShapeTuple, type SymShape, type SymbolicTensor } from './symbolic.js';

function asList(shapes: SymShape | SymShape[], layer: string): SymShape[] {
  if (shapes.length === 0 || !Array.isArray(shapes[0])) throw new ValueError(`Layer "${layer}" must be called on a list of at least 2 inputs`);
  const list = shapes as SymShape[];
  if (list.length < 2) throw new ValueError(`Layer "${layer}" must be called on a list of at least 2 inputs, got ${list.length}`);
  return list;
}

export interface ConcatenateArgs extends LayerArgs {
  axis?: number;
}

export class Concatenate extends Layer {
  static override className = 'Concatenate';
  readonly axis: number;

  constructor(args: ConcatenateArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
  }

  override computeOutputShape(shapes: SymShape | SymShape[]): SymShape {
    const list = asList(shapes, this.name);
    const rank = list[0].length;
    const a = this.axis < 0 ? rank + this.axis : this.axis;
    for (const s of list) {
      if (s.length !== rank || s.some((d, i) => i !== a && i !== 0 && d !== null && list[0][i] !== null && d !== list[0][i])) {
        throw new ShapeError(`Layer "${this.name}" (Concatenate): inputs must match except on the concatenation axis ${this.axis}, got ${list.map(formatShapeTuple).join(', ')}`);
      }
    }
    const out = [...list[0]];
    out[a] = list.some((s) => s[a] === null) ? null : list.reduce((n, s) => n + (s[a] as number), 0);
    return out;
  }

  override build(shapes: SymShape | SymShape[]): void {
    this.computeOutputShape(shapes);
  }

  call(xs: Tensor | Tensor[]): Tensor {
    return ops.concat(Array.isArray(xs) ? xs : [xs], this.axis);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

// ---------------------------------------------------------------- element-wise merges (Keras 3)

/**
 * Keras 3's element-wise Merge base: a list of at least two inputs whose shapes broadcast, without
 * the batch dimension, right-aligned (a lower-rank input gets size-1 axes inserted after the batch
 * axis, so (b, c) meets (b, h, w, c) as (b, 1, 1, c)); a dimension unknown on either side is
 * unknown in the output; known batch sizes must agree.
 */
export abstract class Merge extends Layer {
  /** Exact number of inputs, where the layer has one (Subtract: 2). */
  protected readonly inputCount: number | null = null;

  protected abstract mergeFunction(xs: Tensor[]): Tensor;

  protected shapeList(shapes: SymShape | SymShape[] | readonly (readonly number[])[]): SymShape[] {
    const cls = this.className;
    if (shapes.length === 0 || !Array.isArray(shapes[0])) {
      throw new ValueError(`Layer "${this.name}" (${cls}) must be called on a list of ${this.inputCount ?? 'at least 2'} inputs, got a single input of shape ${formatShapeTuple(shapes as SymShape)}`);
    }
    const list = shapes as SymShape[];
    if (this.inputCount !== null ? list.length !== this.inputCount : list.length < 2) {
      throw new ValueError(`Layer "${this.name}" (${cls}) must be called on ${this.inputCount !== null ? `exactly ${this.inputCount}` : 'at least 2'} inputs, got ${list.length}: ${list.map(formatShapeTuple).join(', ')}`);
    }
    return list;
  }

  override computeOutputShape(shapes: SymShape | SymShape[]): SymShape {
    const list = this.shapeList(shapes);
    const batches = new Set(list.map((s) => s[0]).filter((d) => d !== null && d !== undefined));
    if (batches.size > 1) {
      throw new ShapeError(`Layer "${this.name}" (${this.className}) cannot merge tensors with different batch sizes: ${list.map(formatShapeTuple).join(', ')}`);
    }
    let out: (number | null)[] = list[0].slice(1);
    for (const s of list.slice(1)) {
      const a = out;
      const b = s.slice(1);
      const [long, short] = a.length >= b.length ? [a, b] : [b, a];
      const merged = long.slice(0, long.length - short.length);
      for (let i = 0; i < short.length; i++) {
        const p = long[long.length - short.length + i];
        const q = short[i];
        if (p === null || q === null) merged.push(null);
        else if (p === 1) merged.push(q);
        else if (q === 1 || p === q) merged.push(p);
        else {
          throw new ShapeError(`Layer "${this.name}" (${this.className}): inputs have incompatible shapes ${list.map(formatShapeTuple).join(' and ')} (axis ${merged.length + 1}: ${p} vs ${q}; sizes must be equal or 1)`);
        }
      }
      out = merged;
    }
    return [batches.size === 1 ? [...batches][0] : null, ...out];
  }

  override build(shapes: SymShape | SymShape[]): void {
    this.computeOutputShape(shapes);
  }

  call(xs: Tensor | Tensor[]): Tensor {
    const list = Array.isArray(xs) ? xs : [xs];
    this.computeOutputShape(list.map((t) => t.shape) as SymShape[]);
    const rank = Math.max(...list.map((t) => t.rank));
    const same = list.map((t) => {
      let y = t;
      while (y.rank < rank) y = ops.expandDims(y, 1);
      return y;
    });
    return this.mergeFunction(same);
  }
}

/** Element-wise sum of the inputs (ResNet's shortcut joins). */
export class Add extends Merge {
  static override className = 'Add';
  protected mergeFunction(xs: Tensor[]): Tensor {
    return xs.slice(1).reduce((acc, t) => ops.add(acc, t), xs[0]);
  }
}

/** Element-wise product of the inputs. */
export class Multiply extends Merge {
  static override className = 'Multiply';
  protected mergeFunction(xs: Tensor[]): Tensor {
    return xs.slice(1).reduce((acc, t) => ops.mul(acc, t), xs[0]);
  }
}

/** Element-wise mean of the inputs: (x₁ + … + xₙ) / n. */
export class Average extends Merge {
  static override className = 'Average';
  protected mergeFunction(xs: Tensor[]): Tensor {
    return ops.div(xs.slice(1).reduce((acc, t) => ops.add(acc, t), xs[0]), xs.length);
  }
}

/** Element-wise maximum; on ties the gradient goes to the earlier input (TensorFlow's rule). */
export class Maximum extends Merge {
  static override className = 'Maximum';
  protected mergeFunction(xs: Tensor[]): Tensor {
    return xs.slice(1).reduce((acc, t) => ops.maximum(acc, t), xs[0]);
  }
}

/** Element-wise minimum; on ties the gradient goes to the earlier input (TensorFlow's rule). */
export class Minimum extends Merge {
  static override className = 'Minimum';
  protected mergeFunction(xs: Tensor[]): Tensor {
    return xs.slice(1).reduce((acc, t) => ops.minimum(acc, t), xs[0]);
  }
}

/** inputs[0] − inputs[1]; exactly two inputs. */
export class Subtract extends Merge {
  static override className = 'Subtract';
  protected override readonly inputCount: number | null = 2;
  protected mergeFunction(xs: Tensor[]): Tensor {
    return ops.sub(xs[0], xs[1]);
  }
}

type MergeInputs = readonly SymbolicTensor[] | readonly Tensor[];

/**
 * A lower-case factory in the style of TensorFlow.js and Keras's functional forms:
 * `f(args?)` makes the layer; `f([a, b, …], args?)` makes it and applies it to the list at once
 * (Keras's `keras.layers.multiply([a, b])`), returning its output.
 */
export interface MergeFactory<L extends Layer, A extends LayerArgs = LayerArgs> {
  (args?: A): L;
  (inputs: readonly SymbolicTensor[], args?: A): SymbolicTensor;
  (inputs: readonly Tensor[], args?: A): Tensor;
}

export function mergeFactory<L extends Layer, A extends LayerArgs = LayerArgs>(make: (args: A) => L): MergeFactory<L, A> {
  return ((first?: A | MergeInputs, args?: A) => {
    if (Array.isArray(first)) return make((args ?? {}) as A).apply(first as MergeInputs);
    return make((first ?? {}) as A);
  }) as MergeFactory<L, A>;
}
