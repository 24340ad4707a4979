/**
 * Where Keras keeps each layer's weights, in both file layouts, for reading and for writing.
 *
 * Keras 2 (model.save('x.h5'), save_weights('x.h5'), and Keras 3's legacy h5): one group per
 * layer, named after the layer, whose `weight_names` attribute lists dataset paths inside it
 * (`conv2d/kernel:0`, `sequential/conv2d/kernel`…). Keras 2 lists a layer's trainable weights
 * before its non-trainable ones; a nested model is one group holding all its weights.
 *
 * Keras 3 (.keras's model.weights.h5 and .weights.h5): `layers/<key>/vars/<i>`, where <key> is
 * the snake_case class name plus a per-class counter in layer order (`conv2d`, `conv2d_1`), not
 * the layer's name; nested models recurse (`layers/functional/layers/conv2d/vars/0`).
 */
import { FormatError } from '../../errors.js';
import { InputLayer } from '../../layers/input.js';
import type { Layer } from '../../layers/layer.js';
import { toSnakeCase } from '../../layers/naming.js';
import { Model } from '../../models/model.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../tensor/tensor.js';
import { type H5Dataset, type H5Group, type H5Node, h5Dataset, h5Get, h5Group } from '../hdf5/tree.js';

/** Layers that own weights or sub-layers, as Keras lists them (InputLayers excluded). */
export function kerasLayers(model: Model): Layer[] {
  return model.layers.filter((l) => !(l instanceof InputLayer));
}

/** A stored array: an HDF5 dataset or a tfjs manifest entry. */
export interface StoredArray {
  shape: readonly number[];
  data: ArrayLike<number>;
}

function toFloat32(ds: StoredArray, what: string, source: string): Float32Array {
  const data = ds.data instanceof Float32Array ? ds.data : Float32Array.from(ds.data);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new FormatError(`${source}: weight ${what} holds a non-finite value (${data[i]}) at index ${i}; the file is damaged or was saved from a diverged model`);
  }
  return data;
}

/** Copies a stored array into `v` after checking its shape and values; `what` names it in errors. */
export function assignStored(v: Variable, ds: StoredArray, what: string, source: string): void {
  const want = v.shape.join(',');
  // Keras accepts a scalar stored as shape () or (1,); so do we, and nothing looser.
  if (ds.shape.join(',') !== want && !(ds.data.length === v.size && ds.shape.length + v.shape.length <= 1)) {
    throw new FormatError(`${source}: weight ${what} has shape (${ds.shape.join(', ')}) in the file but "${v.name}" needs (${v.shape.join(', ')})`);
  }
  v.assign(new Tensor(toFloat32(ds, what, source), [...v.shape]));
}

function dataset(group: H5Group, path: string, source: string, where: string): H5Dataset {
  const node = h5Get(group, path);
  if (!node || node.kind !== 'dataset') throw new FormatError(`${source}: ${where} lists weight "${path}" but the file has no such dataset`);
  return node;
}

function stringList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string');
  if (typeof v === 'string') return [v];
  return [];
}

/** Keras 2's order for a layer's weights: trainable first (h5 files list them that way). */
function legacyOrder(layer: Layer): Variable[] {
  return [...layer.trainableWeights, ...layer.nonTrainableWeights];
}

// ---------------------------------------------------------------------------------------------
// Keras 2 layout

/** The group holding per-layer weight groups: `/model_weights` in full-model files, else the root. */
export function legacyWeightsRoot(root: H5Group): H5Group | null {
  const mw = root.children.model_weights;
  if (mw && mw.kind === 'group' && 'layer_names' in mw.attrs) return mw;
  if ('layer_names' in root.attrs) return root;
  return null;
}

/** Loads a Keras 2 layout into `model`: by layer name when every name is found, else by order as Keras does. */
export function loadLegacyWeights(model: Model, wroot: H5Group, source: string): void {
  const fileLayers = stringList(wroot.attrs.layer_names).filter((n) => {
    const g = wroot.children[n];
    return g && g.kind === 'group' && stringList(g.attrs.weight_names).length > 0;
  });
  const ours = kerasLayers(model).filter((l) => l.weights.length > 0);
  const byName = ours.every((l) => fileLayers.includes(l.name));
  if (!byName && fileLayers.length !== ours.length) {
    throw new FormatError(`${source}: the file has weights for ${fileLayers.length} layers (${fileLayers.join(', ')}) but the model has ${ours.length} layers with weights (${ours.map((l) => l.name).join(', ')})`);
  }
  ours.forEach((layer, i) => {
    const gname = byName ? layer.name : fileLayers[i]!;
    const group = wroot.children[gname] as H5Group;
    const names = stringList(group.attrs.weight_names);
    const where = `layer group "${gname}"`;
    const vars = layer.weights;
    if (names.length !== vars.length) {
      throw new FormatError(`${source}: ${where} holds ${names.length} weights but layer "${layer.name}" (${layer.className}) has ${vars.length}`);
    }
    const arrays = names.map((n) => dataset(group, n, source, where));
    const matched = matchByName(names, vars);
    const order = matched ?? legacyOrder(layer);
    order.forEach((v, k) => assignStored(v, arrays[k]!, `"${gname}/${names[k]}"`, source));
  });
}

/** Pairs file weight names with variables by name (`sequential/conv2d/kernel:0` ends with `conv2d/kernel`); null if not all pair up. */
export function matchByName(names: string[], vars: Variable[]): Variable[] | null {
  const out: Variable[] = [];
  const used = new Set<Variable>();
  for (const n of names) {
    const key = n.replace(/:\d+$/, '');
    const hits = vars.filter((v) => !used.has(v) && (key === v.name || key.endsWith(`/${v.name}`)));
    if (hits.length !== 1) return null;
    used.add(hits[0]!);
    out.push(hits[0]!);
  }
  return out;
}

/** The Keras 2 `model_weights` group (or the save_weights root) for `model`. */
export function legacyWeightsGroup(model: Model, attrs: Record<string, string>): H5Group {
  const root = h5Group({ ...attrs });
  const names: string[] = [];
  for (const layer of kerasLayers(model)) {
    names.push(layer.name);
    const g = h5Group();
    const weightNames: string[] = [];
    for (const v of legacyOrder(layer)) {
      const name = `${v.name}:0`;
      weightNames.push(name);
      putDataset(g, name, h5Dataset(Float32Array.from(v.values), v.shape));
    }
    g.attrs.weight_names = weightNames;
    root.children[layer.name] = g;
  }
  root.attrs.layer_names = names;
  return root;
}

function putDataset(group: H5Group, path: string, ds: H5Dataset): void {
  const parts = path.split('/');
  let g = group;
  for (const p of parts.slice(0, -1)) g = (g.children[p] as H5Group | undefined) ?? (g.children[p] = h5Group());
  g.children[parts[parts.length - 1]!] = ds;
}

// ---------------------------------------------------------------------------------------------
// Keras 3 layout

/** Keras 3's keys for a container's layers: snake_case class name + per-class counter. */
function v3Keys(layers: Layer[]): string[] {
  const used = new Map<string, number>();
  return layers.map((l) => {
    const base = toSnakeCase(l.className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return n === undefined ? base : `${base}_${n + 1}`;
  });
}

function numericChildren(g: H5Group): H5Node[] {
  return Object.keys(g.children).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b)).map((k) => g.children[k]!);
}

/** Loads Keras 3 `layers/…/vars/i` weights into `model`. */
export function loadV3Weights(model: Model, root: H5Group, source: string, prefix = 'layers'): void {
  const layers = kerasLayers(model);
  v3Keys(layers).forEach((key, i) => {
    const layer = layers[i]!;
    const path = `${prefix}/${key}`;
    if (layer instanceof Model) {
      loadV3Weights(layer, root, source, `${path}/layers`);
      return;
    }
    if (layer.weights.length === 0) return;
    const vars = h5Get(root, `${path}/vars`);
    if (!vars || vars.kind !== 'group') {
      throw new FormatError(`${source}: no weights for layer "${layer.name}" (${layer.className}) at "${path}/vars"; the file was saved from a different architecture`);
    }
    const arrays = numericChildren(vars);
    if (arrays.length !== layer.weights.length) {
      throw new FormatError(`${source}: "${path}/vars" holds ${arrays.length} weights but layer "${layer.name}" (${layer.className}) has ${layer.weights.length}`);
    }
    layer.weights.forEach((v, k) => {
      const ds = arrays[k]!;
      if (ds.kind !== 'dataset') throw new FormatError(`${source}: "${path}/vars/${k}" is not a dataset`);
      assignStored(v, ds, `"${path}/vars/${k}"`, source);
    });
  });
}

/** The Keras 3 weights tree (layers/…, vars) for `model`; optimizer state is not written. */
export function v3WeightsTree(model: Model): H5Group {
  const root = h5Group({}, { layers: h5Group(), vars: h5Group({ name: model.name }) });
  fillV3(model, root.children.layers as H5Group);
  return root;
}

function fillV3(model: Model, layersGroup: H5Group): void {
  const layers = kerasLayers(model);
  v3Keys(layers).forEach((key, i) => {
    const layer = layers[i]!;
    if (layer instanceof Model) {
      const g = h5Group({}, { layers: h5Group(), vars: h5Group({ name: layer.name }) });
      fillV3(layer, g.children.layers as H5Group);
      layersGroup.children[key] = g;
      return;
    }
    const vars = h5Group({ name: layer.name });
    layer.weights.forEach((v, k) => { vars.children[String(k)] = h5Dataset(Float32Array.from(v.values), v.shape); });
    layersGroup.children[key] = h5Group({}, { vars });
  });
}
