/**
 * Feature maps: what every layer of a model outputs for one input, and a grid picture of one layer's
 * output with a tile per channel.
 */
import { ValueError } from '../errors.js';
import { noGrad } from '../autograd/tape.js';
import { type Layer, withOutputProbe } from '../layers/layer.js';
import type { Model } from '../models/model.js';
import type { Tensor } from '../tensor/tensor.js';
import { toRaster } from './colormap.js';
import type { Figure, Raster } from './figure.js';
import { type GridLayout, type GridOptions, type Tile, tileGrid, tileGridLayout } from './grid.js';

export interface LayerActivation {
  layer: Layer;
  /** The layer's name (a layer called more than once appears once per call, with the same name). */
  name: string;
  /** The (first) output of the call. */
  output: Tensor;
  /** Every output of the call (merge layers and nested models may have several). */
  outputs: Tensor[];
}

/**
 * Runs `model` on `x` in inference mode (training false, no gradients recorded) and returns every
 * layer call's output in the order the calls finished: innermost first, so a nested model's own layers
 * come before the nested model itself. The outer model is not listed (its output is its last layer's).
 * Works for Sequential, functional and subclassed models alike: it watches layer calls
 * (withOutputProbe) rather than reading a graph.
 *
 * Inference normally folds Conv → BatchNormalization (→ ReLU) into one convolution, which would hide the
 * intermediate outputs; fusion is switched off for this run so each layer's own output is seen. The
 * values are those of unfused inference (equal up to float rounding).
 *
 * With `names`, only those layers are returned; an unknown name is a ValueError listing the names of
 * the layers that ran.
 */
export function layerActivations(model: Model, x: Tensor, names?: readonly string[]): LayerActivation[] {
  const found: LayerActivation[] = [];
  const prevFusion = process.env.CONVKIT_FUSION;
  process.env.CONVKIT_FUSION = '0';
  try {
    // An unbuilt subclassed model builds itself with a forward pass on zeros inside its first call;
    // building first keeps that pass out of the probe.
    if (!model.built) noGrad(() => model.build([null, ...x.shape.slice(1)]));
    withOutputProbe((layer, outs) => {
      if (layer !== model) found.push({ layer, name: layer.name, output: outs[0], outputs: [...outs] });
    }, () => noGrad(() => model.apply(x, { training: false })));
  } finally {
    if (prevFusion === undefined) delete process.env.CONVKIT_FUSION;
    else process.env.CONVKIT_FUSION = prevFusion;
  }
  if (names === undefined) return found;
  const available = [...new Set(found.map((a) => a.name))];
  for (const n of names) {
    if (!available.includes(n)) throw new ValueError(`No layer named ${JSON.stringify(n)} ran in model "${model.name}". Layers: ${available.join(', ')}`);
  }
  return found.filter((a) => names.includes(a.name));
}

export interface FeatureMapOptions {
  title?: string;
  cols?: number;
  /** Integer upscaling; default: the smallest that makes a tile at least 64 px on its longer side. */
  scale?: number;
  /** Colour map of every tile (default 'gray'); each tile is scaled from its own min to its own max. */
  cmap?: string;
  /** At most this many channels are drawn (default 64), the first ones; the title says so when cut. */
  maxChannels?: number;
  gap?: number;
  labelSize?: number;
}

/** The smallest integer scale that makes `side` pixels at least `target` (64) pixels. */
export function upscaleFor(side: number, target = 64): number {
  return Math.max(1, Math.ceil(target / side));
}

/** Rows of the band a 1-D map (length w) is drawn as, so it reads as a strip rather than a hairline. */
export function stripRows(length: number): number {
  return Math.max(4, Math.ceil(length / 8));
}

function checkMaxChannels(v: number | undefined): number {
  if (v === undefined) return 64;
  if (!(Number.isInteger(v) && v >= 1)) throw new ValueError(`featureMapsFigure: maxChannels must be an integer ≥ 1, got ${v}`);
  return v;
}

/**
 * One tile per channel of the first sample of `output` (label: the channel index), each scaled from its
 * own min..max through `cmap` (a constant channel is mid-gray, see toRaster):
 * - (n, h, w, c): an h × w tile per channel;
 * - (n, w, c) (Conv1D and friends): each channel a strip of w × stripRows(w) pixels, every row the same;
 * - (n, units) (Dense, pooled vectors): one tile, the units row-major in ceil(√units) columns, cells past
 *   the last unit transparent.
 */
export function featureMapTiles(output: Tensor, opts: { cmap?: string; maxChannels?: number } = {}): { tiles: Tile[]; channels: number } {
  const cmap = opts.cmap ?? 'gray';
  const maxChannels = checkMaxChannels(opts.maxChannels);
  const shape = output.shape;
  const v = output.values;
  if (shape.length === 4 || shape.length === 3) {
    const [h, w, c] = shape.length === 4 ? [shape[1], shape[2], shape[3]] : [1, shape[1], shape[2]];
    const rows = shape.length === 4 ? h : stripRows(w);
    const tiles: Tile[] = [];
    for (let ch = 0; ch < Math.min(c, maxChannels); ch++) {
      const plane = new Float64Array(rows * w);
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < w; x++) plane[y * w + x] = v[((shape.length === 4 ? y : 0) * w + x) * c + ch];
      }
      tiles.push({ raster: toRaster(plane, rows, w, { cmap }), label: String(ch) });
    }
    return { tiles, channels: c };
  }
  if (shape.length === 2) {
    const units = shape[1];
    const cols = Math.ceil(Math.sqrt(units));
    const rows = Math.ceil(units / cols);
    const full = toRaster(v.subarray(0, units), 1, units, { cmap });
    const raster: Raster = { width: cols, height: rows, data: new Uint8ClampedArray(rows * cols * 4) };
    raster.data.set(full.data);
    return { tiles: [{ raster, label: `${units} units` }], channels: 1 };
  }
  throw new ValueError(`featureMapsFigure: expected a layer output of shape (1, h, w, c), (1, w, c) or (1, units), got (${shape.join(', ')})`);
}

/** The tiles and grid options of {@link featureMapsFigure}. */
export function featureMapsGrid(output: Tensor, opts: FeatureMapOptions = {}): { tiles: Tile[]; grid: GridOptions } {
  const { tiles, channels } = featureMapTiles(output, opts);
  const side = Math.max(...tiles.map((t) => Math.max(t.raster.width, t.raster.height)));
  const cut = tiles.length < channels ? `(first ${tiles.length} of ${channels} channels)` : '';
  const title = [opts.title, cut].filter((s) => s !== undefined && s !== '').join('\n') || undefined;
  return { tiles, grid: { cols: opts.cols, scale: opts.scale ?? upscaleFor(side), gap: opts.gap, labelSize: opts.labelSize, title } };
}

/** A grid picture of one layer output (see {@link featureMapTiles}), upscaled so tiles are ≥ 64 px. */
export function featureMapsFigure(output: Tensor, opts: FeatureMapOptions = {}): Figure {
  const { tiles, grid } = featureMapsGrid(output, opts);
  return tileGrid(tiles, grid);
}

/** Where featureMapsFigure puts each tile (tile k = channel k). */
export function featureMapsLayout(output: Tensor, opts: FeatureMapOptions = {}): GridLayout {
  const { tiles, grid } = featureMapsGrid(output, opts);
  return tileGridLayout(tiles, grid);
}
