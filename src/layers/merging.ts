/** Merge layers for branching graphs: Add and Concatenate. */
import { ShapeError, ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import { formatShapeTuple, type SymShape } from './symbolic.js';

function asList(shapes: SymShape | SymShape[], layer: string): SymShape[] {
  if (shapes.length === 0 || !Array.isArray(shapes[0])) throw new ValueError(`Layer "${layer}" must be called on a list of at least 2 inputs`);
  const list = shapes as SymShape[];
  if (list.length < 2) throw new ValueError(`Layer "${layer}" must be called on a list of at least 2 inputs, got ${list.length}`);
  return list;
}

export class Add extends Layer {
  static override className = 'Add';

  override computeOutputShape(shapes: SymShape | SymShape[]): SymShape {
    const list = asList(shapes, this.name);
    const rank = Math.max(...list.map((s) => s.length));
    const out: (number | null)[] = [];
    for (let i = 0; i < rank; i++) {
      const dims = list.map((s): number | null => { const j = s.length - rank + i; return j < 0 ? 1 : s[j]; });
      const known = dims.filter((d): d is number => d !== null && d !== 1);
      if (new Set(known).size > 1) {
        throw new ShapeError(`Layer "${this.name}" (Add): inputs must have compatible shapes, got ${list.map(formatShapeTuple).join(' and ')}`);
      }
      out.push(dims.includes(null) && known.length === 0 ? null : (known[0] ?? 1));
    }
    return out;
  }

  override build(shapes: SymShape | SymShape[]): void {
    this.computeOutputShape(shapes);
  }

  call(xs: Tensor | Tensor[]): Tensor {
    const list = Array.isArray(xs) ? xs : [xs];
    return list.slice(1).reduce((acc, t) => ops.add(acc, t), list[0]);
  }
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
