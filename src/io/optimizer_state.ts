/**
 * A compiled model's optimizer state (iteration count, learning rate, slot variables such as
 * Adam's momentums) as model files keep it, and its restoration at load time, so that training
 * resumed from a saved model continues bit for bit.
 *
 * `Optimizer.getWeights()` is the reference list: `iteration`, `learning_rate` (a number rate
 * only), the slots in Keras 3's creation order, then optimizer-wide state (Nadam's `u_product`).
 * Files keep that list in one of two orders:
 *
 * - `'keras'`: getWeights' own order. Keras 3 (`.keras`, Keras 3's legacy `.h5`) and tf.keras
 *   2.11–2.15 create the optimizer variables in it, and load them by position.
 * - `'by-slot-kind'`: tf.keras ≤ 2.10 (optimizer_v2) lists each slot kind for every variable in
 *   turn (all `m`, then all `v`), whatever Keras 3 interleaves.
 *
 * Restoring never fails a load: state that does not fit the optimizer the model was compiled with
 * (another optimizer, other variables or shapes) gets one console warning naming the file and the
 * reason, as Keras's "Skipping variable loading for optimizer" does, and training starts from a
 * fresh optimizer.
 */
import type { Model } from '../models/model.js';
import type { NamedTensor, Optimizer } from '../optimizers/optimizer.js';
import { Tensor, type Variable } from '../tensor/tensor.js';
import { ValueError } from '../errors.js';

export type StateOrder = 'keras' | 'by-slot-kind';

/** What one getWeights entry is. */
export type StateRole = 'iteration' | 'learning_rate' | 'slot' | 'extra';

export interface StateEntry {
  /** Position in `optimizer.getWeights()`. */
  index: number;
  /** getWeights' name: `iteration`, `learning_rate`, `<variable>_<slot>`, `u_product`… */
  name: string;
  tensor: Tensor;
  role: StateRole;
  /** For slots: the model variable the slot belongs to and the slot kind (`momentum`, `velocity`…). */
  variable?: Variable;
  slot?: string;
}

/** One array of optimizer state as a file holds it. */
export interface StoredValue {
  name?: string;
  shape: readonly number[];
  data: ArrayLike<number>;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function shapeText(s: readonly number[]): string {
  return `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
}

/**
 * Classifies each getWeights entry. Slots are recognised by their name, `<variable>_<kind>` with
 * the variable's `/` and `:` turned into `_` (the optimizer's own naming), and their shape; the
 * longest matching variable name wins so `dense_1_kernel_…` is not taken for `dense`'s.
 */
export function describeState(optimizer: Optimizer, weights: readonly NamedTensor[] = optimizer.getWeights()): StateEntry[] {
  const vars = optimizer.variables;
  const bases = vars.map((v) => String(v.name).replace(/[/:]/g, '_'));
  const byLength = vars.map((_, i) => i).sort((a, b) => bases[b]!.length - bases[a]!.length);
  const taken = new Set<string>();
  return weights.map(({ name, tensor }, index): StateEntry => {
    if (index === 0 && name === 'iteration') return { index, name, tensor, role: 'iteration' };
    if (index === 1 && name === 'learning_rate') return { index, name, tensor, role: 'learning_rate' };
    for (const i of byLength) {
      const base = bases[i]!;
      if (!name.startsWith(`${base}_`) || !sameShape(vars[i]!.shape, tensor.shape)) continue;
      const slot = name.slice(base.length + 1);
      // Two variables can share a name (nested models); each takes its own slot of every kind.
      if (taken.has(`${i}\u0000${slot}`)) continue;
      taken.add(`${i}\u0000${slot}`);
      return { index, name, tensor, role: 'slot', variable: vars[i], slot };
    }
    return { index, name, tensor, role: 'extra' };
  });
}

/**
 * The optimizer's state in a file order: iteration, learning rate (if the optimizer has one and
 * `learningRate` is true), the slots, then optimizer-wide state.
 */
export function stateInOrder(optimizer: Optimizer, order: StateOrder, opts: { learningRate: boolean }, entries: StateEntry[] = describeState(optimizer)): StateEntry[] {
  const head = entries.filter((e) => e.role === 'iteration' || (opts.learningRate && e.role === 'learning_rate'));
  const slots = entries.filter((e) => e.role === 'slot');
  const extras = entries.filter((e) => e.role === 'extra');
  if (order === 'keras') return [...head, ...slots, ...extras];
  const kinds = [...new Set(slots.map((s) => s.slot!))];
  const byKind = kinds.flatMap((k) => optimizer.variables.flatMap((v) => slots.filter((s) => s.slot === k && s.variable === v)));
  return [...head, ...byKind, ...extras];
}

/** Keras 3 files keep a float32 learning rate; the compiled one (from the config's JSON) is exact when it agrees. */
function restoredRate(current: number, stored: number): number {
  if (stored === current) return current;
  return Math.fround(stored) === stored && Math.fround(current) === stored ? current : stored;
}

function fits(like: Tensor, v: StoredValue): boolean {
  if (v.data.length !== like.size) return false;
  // A scalar may be stored as shape () or (1,), as Keras accepts.
  return sameShape(v.shape, like.shape) || (v.shape.length + like.shape.length <= 1);
}

function toTensor(v: StoredValue, like: Tensor): Tensor {
  const shape = [...like.shape];
  if (like.dtype === 'int32') return new Tensor(Int32Array.from(v.data), shape);
  if (like.dtype === 'float64') return new Tensor(Float64Array.from(v.data), shape);
  return new Tensor(v.data instanceof Float32Array ? v.data.slice() : Float32Array.from(v.data), shape);
}

/**
 * Loads `assigned` (getWeights index → stored value) into the optimizer; other entries keep their
 * fresh values. Returns null on success, else why the state does not fit (nothing is changed).
 */
function applyState(optimizer: Optimizer, current: readonly NamedTensor[], assigned: Map<number, { value: StoredValue; where: string }>): string | null {
  const tensors = current.map((w) => w.tensor);
  for (const [i, { value, where }] of assigned) {
    const like = current[i]!.tensor;
    if (!fits(like, value)) return `${where} has shape ${shapeText(value.shape)} but the optimizer's "${current[i]!.name}" needs ${shapeText(like.shape)}`;
    if (i === 0 && like.dtype === 'int32' && !(value.data[0]! >= 0 && value.data[0]! <= 0x7fffffff && Number.isInteger(value.data[0]))) {
      return `${where} (the iteration count) is ${value.data[0]}, not a non-negative 32-bit integer`;
    }
    tensors[i] = current[i]!.name === 'learning_rate' ? new Tensor(Float64Array.of(restoredRate(like.values[0]!, value.data[0]!)), []) : toTensor(value, like);
  }
  try {
    optimizer.setWeights(tensors);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

function warnSkippedState(source: string, optimizer: Optimizer, reason: string): void {
  console.warn(`${source}: skipping variable loading for optimizer '${optimizer.name}' (${optimizer.className}): ${reason}. The model is loaded with a freshly initialized optimizer (iterations 0)`);
}

/** The compiled model's optimizer, built on the model's trainable weights as training would build it. */
function builtOptimizer(model: Model): Optimizer | null {
  const optimizer = model.compiled?.optimizer;
  if (!optimizer) return null;
  optimizer.build(model.compiled?.trainableVariables ?? model.trainableWeights);
  return optimizer;
}

/**
 * Restores state a Keras file lists by position (`stored[i]` is the file's i-th variable), trying
 * `orders` in turn (the first whose shapes all fit wins). `fileHasLearningRate`: stored[1] is a
 * learning rate (Keras 3 keeps one; tf.keras 2 files do not). A file holding only the iteration
 * (and rate) comes from an optimizer Keras never built: it restores those and keeps fresh slots.
 * Returns whether the state was restored; otherwise warns once.
 */
export function restoreStateByPosition(model: Model, stored: readonly StoredValue[], source: string, opts: { orders: readonly StateOrder[]; fileHasLearningRate: boolean }): boolean {
  const optimizer = builtOptimizer(model);
  if (!optimizer) return false;
  const current = optimizer.getWeights();
  const entries = describeState(optimizer, current);
  const lrEntry = entries.find((e) => e.role === 'learning_rate');
  const theirs = stored.map((value, i) => ({ value, where: `optimizer variable ${i}${value.name ? ` ("${value.name}")` : ''}` }));
  const lrStored = opts.fileHasLearningRate ? theirs.splice(1, 1)[0] : undefined;
  let reason: string | null = null;
  for (const order of opts.orders) {
    const ours = stateInOrder(optimizer, order, { learningRate: false }, entries);
    const assigned = new Map<number, { value: StoredValue; where: string }>();
    const neverBuilt = theirs.length === 1 && ours.slice(1).every((e) => e.role === 'slot');
    if (!neverBuilt && theirs.length !== ours.length) {
      const expected = ours.length + (opts.fileHasLearningRate && lrEntry ? 1 : 0);
      reason ??= `the file holds ${stored.length} optimizer variables but ${optimizer.className} built on this model's ${optimizer.variables.length} trainable weights has ${expected}`;
      continue;
    }
    theirs.forEach((t, k) => assigned.set(ours[k]!.index, t));
    if (lrEntry && lrStored) assigned.set(lrEntry.index, lrStored);
    const failed = applyState(optimizer, current, assigned);
    if (failed === null) return true;
    reason ??= failed;
  }
  warnSkippedState(source, optimizer, reason ?? 'the file lists no optimizer variables');
  return false;
}

/**
 * Restores state stored with getWeights' names (convkit files): by name when every stored name is
 * the optimizer's, else by position when count and shapes agree. A stored learning rate is
 * ignored when the optimizer has a schedule. Returns whether the state was restored; otherwise
 * warns once.
 */
export function restoreStateByName(model: Model, stored: readonly (StoredValue & { name: string })[], source: string, opts: { strict?: boolean } = {}): boolean {
  const optimizer = builtOptimizer(model);
  if (!optimizer) return false;
  // A training backup must restore exactly or not at all: there, a mismatch is an error.
  const warnSkipped = opts.strict
    ? (_s: string, o: Optimizer, reason: string): never => { throw new ValueError(`${source}: the optimizer state does not fit ${o.className}: ${reason}`); }
    : warnSkippedState;
  const current = optimizer.getWeights();
  const index = new Map(current.map((w, i) => [w.name, i]));
  const values = stored.filter((s) => s.name !== 'learning_rate' || index.has('learning_rate'));
  const where = (s: StoredValue & { name: string }) => `the stored optimizer variable "${s.name}"`;
  const assigned = new Map<number, { value: StoredValue; where: string }>();
  const headerOnly = values.every((s) => s.name === 'iteration' || s.name === 'learning_rate');
  if (values.every((s) => index.has(s.name)) && (values.length === current.length || headerOnly)) {
    for (const s of values) assigned.set(index.get(s.name)!, { value: s, where: where(s) });
  } else if (values.length === current.length) {
    values.forEach((s, i) => assigned.set(i, { value: s, where: where(s) }));
  } else {
    const missing = current.filter((w) => !values.some((s) => s.name === w.name)).map((w) => `"${w.name}"`);
    warnSkipped(source, optimizer, `the file stores ${values.length} optimizer variables but ${optimizer.className} built on this model's ${optimizer.variables.length} trainable weights has ${current.length}${missing.length > 0 ? ` (the file lacks ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})` : ''}`);
    return false;
  }
  const failed = applyState(optimizer, current, assigned);
  if (failed === null) return true;
  warnSkipped(source, optimizer, failed);
  return false;
}

/** For state that cannot even be read (a malformed record): the same warning, with a fresh optimizer. */
export function skipUnreadableState(model: Model, source: string, reason: string): void {
  const optimizer = model.compiled?.optimizer;
  if (optimizer) warnSkippedState(source, optimizer, reason);
}
