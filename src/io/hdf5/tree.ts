/**
 * A whole HDF5 file as plain data: groups with attributes and children, datasets with their
 * typed-array contents. Plain objects so a tree crosses a worker boundary by structured clone
 * (the typed arrays are transferred, not copied).
 */

export type H5NumericArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** Attribute values as Keras writes them: strings, string lists, numbers, number lists. */
export type H5AttrValue = string | string[] | number | number[];

export type H5DType = 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';

export interface H5Dataset {
  kind: 'dataset';
  attrs: Record<string, H5AttrValue>;
  shape: number[];
  dtype: H5DType;
  /** Row-major values. 64-bit integers are converted to float64 (Keras stores only counters as int64). */
  data: H5NumericArray;
}

export interface H5Group {
  kind: 'group';
  attrs: Record<string, H5AttrValue>;
  children: Record<string, H5Node>;
}

export type H5Node = H5Group | H5Dataset;

export function h5Group(attrs: Record<string, H5AttrValue> = {}, children: Record<string, H5Node> = {}): H5Group {
  return { kind: 'group', attrs, children };
}

export function h5Dataset(data: Float32Array, shape: readonly number[], attrs: Record<string, H5AttrValue> = {}): H5Dataset {
  return { kind: 'dataset', attrs, shape: [...shape], dtype: 'float32', data };
}

/** The node at a '/'-separated path below `root`, or undefined. */
export function h5Get(root: H5Group, path: string): H5Node | undefined {
  let node: H5Node = root;
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    if (node.kind !== 'group') return undefined;
    const next: H5Node | undefined = Object.prototype.hasOwnProperty.call(node.children, part) ? node.children[part] : undefined;
    if (!next) return undefined;
    node = next;
  }
  return node;
}

/** Creates the groups along `path` as needed and returns the last one. */
export function h5EnsureGroup(root: H5Group, path: string): H5Group {
  let node = root;
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    const next = node.children[part];
    if (next && next.kind === 'dataset') throw new Error(`HDF5 tree: "${part}" in "${path}" is a dataset, not a group`);
    node = (next as H5Group | undefined) ?? (node.children[part] = h5Group());
  }
  return node;
}
