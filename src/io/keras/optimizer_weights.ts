/**
 * Where Keras files keep the optimizer's state, for writing and for reading back.
 *
 * Keras 3 (.keras's model.weights.h5): `optimizer/vars/<i>`, the optimizer's variables by
 * position (saving_lib calls `save_own_variables`): `iteration` as int64, `learning_rate` as
 * float32 (when the rate is a number), then the slots; the `vars` group carries the optimizer's
 * name as its `name` attribute.
 *
 * Keras 2 (model.save('x.h5')): an `optimizer_weights` group whose `weight_names` attribute lists
 * dataset paths inside it, in the optimizer's variable order. convkit writes tf.keras 2.15's
 * dialect, matching the `keras_version` it records: `iteration:0` (int64), no learning rate, slots
 * named `<optimizer>/<slot>/<variable>:0` with tf.keras's short slot names (`m`, `v`…). Reading
 * also takes tf.keras ≤ 2.10's files (`Adam/iter:0`, all `m` slots then all `v`) and Keras 3's
 * legacy h5 (`adam/iteration`, `adam/learning_rate`, …).
 */
import type { Model } from '../../models/model.js';
import type { Optimizer } from '../../optimizers/optimizer.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type H5Dataset, type H5DType, type H5Group, type H5NumericArray, h5EnsureGroup, h5Get, h5Group } from '../hdf5/tree.js';
import { type StateEntry, type StateOrder, type StoredValue, restoreStateByPosition, skipUnreadableState, stateInOrder } from '../optimizer_state.js';

function dataset(data: ArrayLike<number> | BigInt64Array, dtype: H5DType, shape: readonly number[]): H5Dataset {
  // int64 travels as a BigInt64Array, from which h5wasm takes the little-endian int64 type Keras
  // uses for `iteration`; the tree's numeric type does not list it because no reader yields one.
  return { kind: 'dataset', attrs: {}, shape: [...shape], dtype, data: data as unknown as H5NumericArray };
}

function iterationDataset(t: Tensor): H5Dataset {
  return dataset(BigInt64Array.of(BigInt(t.values[0]!)), 'int64', []);
}

function tensorDataset(t: Tensor): H5Dataset {
  if (t.dtype === 'float64') return dataset(Float64Array.from(t.values), 'float64', t.shape);
  if (t.dtype === 'int32') return dataset(Int32Array.from(t.values), 'int32', t.shape);
  return dataset(Float32Array.from(t.values), 'float32', t.shape);
}

function entryDataset(e: StateEntry): H5Dataset {
  if (e.role === 'iteration') return iterationDataset(e.tensor);
  // Keras keeps the learning rate in a floatx (float32) variable.
  if (e.role === 'learning_rate') return dataset(Float32Array.of(e.tensor.values[0]!), 'float32', []);
  return tensorDataset(e.tensor);
}

// ---------------------------------------------------------------------------------------------
// Keras 3

/** The `optimizer` group of a .keras archive's model.weights.h5. */
export function keras3OptimizerGroup(optimizer: Optimizer): H5Group {
  const vars = h5Group({ name: optimizer.name });
  stateInOrder(optimizer, 'keras', { learningRate: true }).forEach((e, i) => { vars.children[String(i)] = entryDataset(e); });
  return h5Group({}, { vars });
}

function numericDatasets(g: H5Group): H5Dataset[] | null {
  const keys = Object.keys(g.children);
  if (!keys.every((k) => /^\d+$/.test(k))) return null;
  const out = keys.sort((a, b) => Number(a) - Number(b)).map((k) => g.children[k]!);
  if (!out.every((n, i) => n.kind === 'dataset' && keys.includes(String(i)))) return null;
  return out as H5Dataset[];
}

/** Restores a compiled model's optimizer from `optimizer/vars` of a Keras 3 weights tree, if present. */
export function restoreKeras3Optimizer(model: Model, root: H5Group, source: string): void {
  const optimizer = model.compiled?.optimizer;
  const node = h5Get(root, 'optimizer/vars');
  if (!optimizer || !node) return;
  const arrays = node.kind === 'group' ? numericDatasets(node) : null;
  if (!arrays) {
    skipUnreadableState(model, source, '"optimizer/vars" in model.weights.h5 is not a group of datasets named 0, 1, 2, …');
    return;
  }
  // Keras 3 has a learning-rate variable exactly when the rate is a number, as convkit does.
  const fileHasLearningRate = typeof optimizer.learningRate === 'number';
  // Some Keras 3 releases created Adam's momentums and velocities as two blocks instead of
  // interleaved; the shapes tell which order a file has.
  restoreStateByPosition(model, arrays, source, { orders: ['keras', 'by-slot-kind'], fileHasLearningRate });
}

// ---------------------------------------------------------------------------------------------
// Keras 2 h5

/** tf.keras 2.11+'s slot names where they differ from Keras 3's (RMSprop, Adagrad, Adadelta keep theirs). */
const TF_KERAS_SLOT_NAMES: Record<string, Record<string, string>> = {
  SGD: { momentum: 'm' },
  Adam: { momentum: 'm', velocity: 'v', velocity_hat: 'vhat' },
  AdamW: { momentum: 'm', velocity: 'v', velocity_hat: 'vhat' },
  Nadam: { momentum: 'm', velocity: 'v' },
  Adamax: { momentum: 'm', norm: 'u' },
};

function tfKerasName(optimizer: Optimizer, e: StateEntry): string {
  if (e.role === 'iteration') return 'iteration:0';
  if (e.role === 'slot') {
    const slot = TF_KERAS_SLOT_NAMES[optimizer.className]?.[e.slot!] ?? e.slot!;
    return `${optimizer.name}/${slot}/${e.variable!.name}:0`;
  }
  return `${optimizer.name}/${e.name}:0`;
}

/** The `optimizer_weights` group tf.keras 2.15 writes beside `model_weights`. */
export function keras2OptimizerWeightsGroup(optimizer: Optimizer): H5Group {
  const group = h5Group();
  const names: string[] = [];
  for (const e of stateInOrder(optimizer, 'keras', { learningRate: false })) {
    const name = tfKerasName(optimizer, e);
    const parts = name.split('/');
    const parent = parts.length > 1 ? h5EnsureGroup(group, parts.slice(0, -1).join('/')) : group;
    parent.children[parts[parts.length - 1]!] = entryDataset(e);
    names.push(name);
  }
  group.attrs.weight_names = names;
  return group;
}

/** tf.keras 2.11 replaced the optimizers (and their variable order); Keras 3 kept the new order. */
function preferredOrders(kerasVersion: unknown): StateOrder[] {
  const m = /^(\d+)\.(\d+)/.exec(String(kerasVersion ?? ''));
  const modern = m !== null && (Number(m[1]) >= 3 || (Number(m[1]) === 2 && Number(m[2]) >= 11));
  // The other order is tried second: tf.keras 2.11+ still offers the old optimizers as `legacy`.
  return modern ? ['keras', 'by-slot-kind'] : ['by-slot-kind', 'keras'];
}

function stringList(v: unknown): string[] | null {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : null;
}

/** Restores a compiled model's optimizer from a Keras h5 file's `optimizer_weights` group, if present. */
export function restoreKeras2Optimizer(model: Model, root: H5Group, source: string): void {
  const group = root.children.optimizer_weights;
  if (!model.compiled || !group) return;
  const names = group.kind === 'group' ? stringList(group.attrs.weight_names) : null;
  if (!names || names.length === 0) {
    skipUnreadableState(model, source, 'the optimizer_weights group has no weight_names attribute listing its datasets');
    return;
  }
  const stored: StoredValue[] = [];
  for (const name of names) {
    const node = h5Get(group as H5Group, name);
    if (!node || node.kind !== 'dataset') {
      skipUnreadableState(model, source, `optimizer_weights lists "${name}" but the file has no such dataset`);
      return;
    }
    stored.push({ name, shape: node.shape, data: node.data });
  }
  // Keras 3's legacy h5 keeps the learning rate second (`adam/learning_rate`); tf.keras 2 never does.
  const fileHasLearningRate = names.length > 1 && /(^|\/)learning_rate(:\d+)?$/.test(names[1]!);
  restoreStateByPosition(model, stored, source, { orders: preferredOrders(root.attrs.keras_version), fileHasLearningRate });
}
