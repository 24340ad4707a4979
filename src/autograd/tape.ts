/**
 * Define-by-run reverse-mode autodiff. While recording is on, every op whose inputs require
 * gradients attaches a GradNode to its output: the inputs and a closure that maps the output's
 * gradient to the inputs' gradients (written with ops, so any backend that has the forward kernels
 * can train). The graph lives only as long as the tensors that reference it: no global tape to
 * clear, nothing to dispose.
 */
import { Tensor } from '../tensor/tensor.js';
import { ShapeError, ValueError } from '../errors.js';

export interface GradNode {
  /** Op name, for error messages ("gradient of conv2d…"). */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Gradients for each input (null where an input needs none). */
  readonly backward: (dy: Tensor) => readonly (Tensor | null)[];
}

let recording = true;

export function isRecording(): boolean {
  return recording;
}

/** Run `fn` without recording gradients (inference, optimizer updates, metrics). */
export function noGrad<T>(fn: () => T): T {
  const prev = recording;
  recording = false;
  try {
    return fn();
  } finally {
    recording = prev;
  }
}

/**
 * Attach a gradient node to `out` if any input requires gradients. Returns `out` so ops can
 * `return record(...)`.
 */
export function record(op: string, out: Tensor, inputs: readonly Tensor[], backward: GradNode['backward']): Tensor {
  if (!recording) return out;
  let needed = false;
  for (const t of inputs) if (t.requiresGrad) { needed = true; break; }
  if (!needed) return out;
  out.requiresGrad = true;
  out.gradNode = { op, inputs, backward };
  return out;
}

type Adder = (a: Tensor, b: Tensor) => Tensor;
type Filler = (shape: readonly number[], value: number, like: Tensor) => Tensor;
let addImpl: Adder | null = null;
let onesImpl: Filler | null = null;

/** ops/ registers these at load time; the tape itself must not import ops (ops import the tape). */
export function setTapeHelpers(add: Adder, fill: Filler): void {
  addImpl = add;
  onesImpl = fill;
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep models would overflow the call stack with recursion.
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradNode?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i];
      if (next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * Gradients of `y` with respect to each of `xs` (null for an x that `y` does not depend on).
 * `dy` seeds the backward pass; by default a tensor of ones shaped like `y`.
 */
export function gradients(y: Tensor, xs: readonly Tensor[], dy?: Tensor): (Tensor | null)[] {
  if (!addImpl || !onesImpl) throw new Error('convkit internal error: ops are not loaded');
  const add = addImpl;
  if (dy && dy.shape.join() !== y.shape.join()) {
    throw new ShapeError(`gradients: seed shape [${dy.shape.join(', ')}] must equal the output shape [${y.shape.join(', ')}]`);
  }
  const grads = new Map<Tensor, Tensor>();
  if (!y.requiresGrad) return xs.map(() => null);
  grads.set(y, dy ?? onesImpl(y.shape, 1, y));
  const order = topoOrder(y);
  noGrad(() => {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const node = t.gradNode;
      const g = grads.get(t);
      if (!node || !g) continue;
      const inGrads = node.backward(g);
      node.inputs.forEach((input, i) => {
        const gi = inGrads[i];
        if (!gi || !input.requiresGrad) return;
        if (gi.shape.join() !== input.shape.join()) {
          throw new ShapeError(`convkit internal error: gradient of ${node.op} for input ${i} has shape [${gi.shape.join(', ')}], expected [${input.shape.join(', ')}]`);
        }
        const prev = grads.get(input);
        grads.set(input, prev ? add(prev, gi) : gi);
      });
      // Intermediate gradients are no longer needed once propagated; free them early.
      if (t !== y && !xs.includes(t)) grads.delete(t);
    }
  });
  return xs.map((x) => grads.get(x) ?? null);
}

/**
 * Evaluate `f` while recording and return its value and the gradients with respect to `xs`
 * (TensorFlow.js's variableGrads / tf.valueAndGrads shape). `f` must return a scalar.
 */
export function valueAndGrads(f: () => Tensor, xs: readonly Tensor[]): { value: Tensor; grads: (Tensor | null)[] } {
  const prev = recording;
  recording = true;
  let value: Tensor;
  try {
    value = f();
  } finally {
    recording = prev;
  }
  if (value.size !== 1) throw new ValueError(`valueAndGrads: the function must return a scalar, got shape [${value.shape.join(', ')}]`);
  return { value, grads: gradients(value, xs) };
}
