/**
 * keras.preprocessing.image.ImageDataGenerator: random affine augmentation (rotation, shifts,
 * shear, zoom, flips, channel shift) and standardisation (rescale, samplewise and featurewise
 * centring/scaling, a preprocessing function), applied per image in Keras's order:
 *   warp (affine + fill) → channel shift → flips → preprocessingFunction → rescale → samplewise → featurewise.
 * Images are channels-last (N, H, W, C). Random draws come from convkit's seeded generator, so a
 * seed reproduces every batch (not NumPy's numbers: the distributions are Keras's).
 */
import { ValueError } from '../../errors.js';
import { type TensorLike, tensor } from '../../ops/creation.js';
import { Random, randomFor } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { channelStats } from '../utils.js';
import { type FillMode, FILL_MODES, type WarpSpec, warpImage } from './warp.js';
import { inverseAffineFor, NO_TRANSFORM, type TransformParams } from './transform.js';
import { FlowIterator, type FlowOptions } from './flow.js';

export interface ImageDataGeneratorOptions {
  featurewiseCenter?: boolean;
  samplewiseCenter?: boolean;
  featurewiseStdNormalization?: boolean;
  samplewiseStdNormalization?: boolean;
  /** Degrees: theta ~ U(−r, r). */
  rotationRange?: number;
  /** Fraction of the width (< 1) or pixels (≥ 1), or a list of pixel shifts to choose from. */
  widthShiftRange?: number | readonly number[];
  heightShiftRange?: number | readonly number[];
  /** Degrees (Keras's shear_range is an angle in degrees, counter-clockwise). */
  shearRange?: number;
  /** z → [1 − z, 1 + z]; or [lo, hi]. Zoom factors > 1 shrink the picture (they sample farther out). */
  zoomRange?: number | readonly [number, number];
  channelShiftRange?: number;
  fillMode?: FillMode;
  cval?: number;
  horizontalFlip?: boolean;
  verticalFlip?: boolean;
  /** Multiplies the data after augmentation (e.g. 1/255). 0 or undefined: none. */
  rescale?: number;
  /** Called on each augmented image (H, W, C) before rescaling; returns the same shape. */
  preprocessingFunction?: (image: Tensor) => Tensor;
  /** 1: bilinear (default), 0: nearest neighbour. */
  interpolationOrder?: 0 | 1;
  dataFormat?: 'channels_last';
}

/** Keras's epsilon in standardize(): x / (std + 1e-6). */
const STD_EPSILON = 1e-6;

function checkRange(v: number, name: string): number {
  if (!Number.isFinite(v) || v < 0) throw new ValueError(`ImageDataGenerator: ${name} must be a non-negative number, got ${v}`);
  return v;
}

export class ImageDataGenerator {
  readonly options: Readonly<ImageDataGeneratorOptions>;
  readonly zoomRange: readonly [number, number];
  readonly fillMode: FillMode;
  /** Per-channel statistics from fit() (Keras's `mean` / `std`, broadcast over H and W). */
  mean: Float32Array | null = null;
  std: Float32Array | null = null;
  private warned = new Set<string>();

  constructor(options: ImageDataGeneratorOptions = {}) {
    const o = { ...options };
    this.fillMode = o.fillMode ?? 'nearest';
    if (!FILL_MODES.includes(this.fillMode)) {
      throw new ValueError(`ImageDataGenerator: fillMode must be one of ${FILL_MODES.join(', ')}, got ${JSON.stringify(o.fillMode)}`);
    }
    if (o.dataFormat !== undefined && o.dataFormat !== 'channels_last') {
      throw new ValueError(`ImageDataGenerator: only dataFormat 'channels_last' is supported, got ${JSON.stringify(o.dataFormat)}`);
    }
    const z = o.zoomRange ?? 0;
    if (typeof z === 'number') this.zoomRange = [1 - checkRange(z, 'zoomRange'), 1 + z];
    else if (Array.isArray(z) && z.length === 2 && z.every(Number.isFinite)) this.zoomRange = [z[0], z[1]];
    else throw new ValueError(`ImageDataGenerator: zoomRange should be a number or [lower, upper], got ${JSON.stringify(z)}`);
    checkRange(o.rotationRange ?? 0, 'rotationRange');
    checkRange(o.shearRange ?? 0, 'shearRange');
    checkRange(o.channelShiftRange ?? 0, 'channelShiftRange');
    for (const k of ['widthShiftRange', 'heightShiftRange'] as const) {
      const v = o[k];
      if (v === undefined) continue;
      if (typeof v === 'number') checkRange(v, k);
      else if (!Array.isArray(v) || v.length === 0 || !v.every(Number.isFinite)) throw new ValueError(`ImageDataGenerator: ${k} must be a number or a non-empty list of numbers`);
    }
    if (o.interpolationOrder !== undefined && o.interpolationOrder !== 0 && o.interpolationOrder !== 1) {
      throw new ValueError(`ImageDataGenerator: interpolationOrder must be 0 or 1, got ${o.interpolationOrder}`);
    }
    if (o.featurewiseStdNormalization && !o.featurewiseCenter) {
      // Keras warns and turns the centring on: the std is defined about the mean.
      this.warnOnce('featurewiseStdNormalization', 'ImageDataGenerator: featurewiseStdNormalization sets featurewiseCenter to true (as Keras does)');
      o.featurewiseCenter = true;
    }
    if (o.samplewiseStdNormalization && !o.samplewiseCenter) {
      this.warnOnce('samplewiseStdNormalization', 'ImageDataGenerator: samplewiseStdNormalization sets samplewiseCenter to true (as Keras does)');
      o.samplewiseCenter = true;
    }
    this.options = Object.freeze(o);
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    process.emitWarning(message);
  }

  /** Random parameters for one image of shape (H, W, C) (Keras's get_random_transform). */
  randomTransform(shape: readonly number[], seedOrRng?: number | Random): TransformParams {
    const rng = seedOrRng instanceof Random ? seedOrRng : randomFor(seedOrRng);
    const o = this.options;
    const u = (lo: number, hi: number) => lo + (hi - lo) * rng.uniform();
    const theta = o.rotationRange ? u(-o.rotationRange, o.rotationRange) : 0;
    const shift = (range: number | readonly number[] | undefined, size: number) => {
      if (!range || (Array.isArray(range) && range.length === 0)) return 0;
      let s: number;
      if (typeof range === 'number') s = u(-range, range);
      else s = (range as readonly number[])[rng.int(range.length)] * (rng.uniform() < 0.5 ? -1 : 1);
      const max = typeof range === 'number' ? range : Math.max(...(range as readonly number[]));
      return max < 1 ? s * size : s;
    };
    const tx = shift(o.heightShiftRange, shape[0]);
    const ty = shift(o.widthShiftRange, shape[1]);
    const shear = o.shearRange ? u(-o.shearRange, o.shearRange) : 0;
    const [zlo, zhi] = this.zoomRange;
    const [zx, zy] = zlo === 1 && zhi === 1 ? [1, 1] : [u(zlo, zhi), u(zlo, zhi)];
    const flipHorizontal = rng.uniform() < 0.5 && !!o.horizontalFlip;
    const flipVertical = rng.uniform() < 0.5 && !!o.verticalFlip;
    const channelShiftIntensity = o.channelShiftRange ? u(-o.channelShiftRange, o.channelShiftRange) : null;
    return { theta, tx, ty, shear, zx, zy, flipHorizontal, flipVertical, channelShiftIntensity };
  }

  private spec(h: number, w: number, c: number): WarpSpec {
    return {
      height: h, width: w, channels: c, fillMode: this.fillMode, cval: this.options.cval ?? 0, boundary: 'scipy',
      interpolation: this.options.interpolationOrder === 0 ? 'nearest' : 'bilinear',
    };
  }

  /** Warp + channel shift + flips of one image src[srcOff…] into dst[dstOff…] (h × w × c floats). */
  transformInto(src: Float32Array, srcOff: number, dst: Float32Array, dstOff: number, h: number, w: number, c: number, p: TransformParams): void {
    warpImage(src, srcOff, dst, dstOff, this.spec(h, w, c), inverseAffineFor(p, h, w));
    if (p.channelShiftIntensity !== null) {
      const n = h * w * c;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = dstOff; i < dstOff + n; i++) {
        if (dst[i] < lo) lo = dst[i];
        if (dst[i] > hi) hi = dst[i];
      }
      for (let i = dstOff; i < dstOff + n; i++) dst[i] = Math.min(hi, Math.max(lo, dst[i] + p.channelShiftIntensity));
    }
  }

  /** Apply the given parameters to one image (H, W, C) (Keras's apply_transform). */
  applyTransform(x: Tensor | TensorLike, params: Partial<TransformParams>): Tensor {
    const img = imageTensor(x, 'applyTransform');
    const [h, w, c] = img.shape;
    const out = new Float32Array(img.size);
    this.transformInto(toFloat32(img), 0, out, 0, h, w, c, { ...NO_TRANSFORM, ...params });
    return new Tensor(out, img.shape);
  }

  /** A random transformation of one image (Keras's random_transform). */
  randomTransformImage(x: Tensor | TensorLike, seed?: number): Tensor {
    const img = imageTensor(x, 'randomTransformImage');
    return this.applyTransform(img, this.randomTransform(img.shape, seed));
  }

  /**
   * Compute the featurewise statistics (per-channel mean and std over the sample, rescaled
   * first as Keras does). Needed for featurewiseCenter / featurewiseStdNormalization.
   */
  fit(x: Tensor | TensorLike): this {
    const t = x instanceof Tensor ? x : tensor(x);
    if (t.rank !== 4) throw new ValueError(`ImageDataGenerator.fit: input should have rank 4 (N, H, W, C), got shape [${t.shape.join(', ')}]`);
    const scaled = this.options.rescale ? new Tensor(Float32Array.from(t.values, (v) => v * (this.options.rescale as number)), t.shape) : t;
    const stats = channelStats(scaled);
    if (this.options.featurewiseCenter) this.mean = Float32Array.from(stats.mean);
    if (this.options.featurewiseStdNormalization) this.std = Float32Array.from(stats.std);
    return this;
  }

  /** Standardise `count` images of `size` floats each, in place (Keras's standardize, per image). */
  standardizeInto(data: Float32Array, offset: number, count: number, shape: readonly [number, number, number]): void {
    const o = this.options;
    const size = shape[0] * shape[1] * shape[2];
    const c = shape[2];
    if (o.preprocessingFunction) {
      for (let i = 0; i < count; i++) {
        const off = offset + i * size;
        const img = new Tensor(data.slice(off, off + size), shape);
        const res = o.preprocessingFunction(img);
        if (!(res instanceof Tensor) || res.size !== size) throw new ValueError(`ImageDataGenerator: preprocessingFunction must return a Tensor of shape [${shape.join(', ')}]`);
        data.set(toFloat32(res), off);
      }
    }
    if (o.rescale) for (let i = offset; i < offset + count * size; i++) data[i] *= o.rescale;
    if (o.samplewiseCenter || o.samplewiseStdNormalization) {
      for (let i = 0; i < count; i++) {
        const off = offset + i * size;
        let m = 0;
        for (let j = off; j < off + size; j++) m += data[j];
        m /= size;
        let s = 1;
        if (o.samplewiseStdNormalization) {
          let v = 0;
          for (let j = off; j < off + size; j++) v += (data[j] - m) * (data[j] - m);
          s = Math.sqrt(v / size) + STD_EPSILON;
        }
        for (let j = off; j < off + size; j++) data[j] = (data[j] - m) / s;
      }
    }
    if (o.featurewiseCenter || o.featurewiseStdNormalization) {
      if (!this.mean && o.featurewiseCenter) this.warnOnce('fitMean', "ImageDataGenerator specifies featurewiseCenter, but it hasn't been fit on any training data. Fit it first by calling .fit(x).");
      if (!this.std && o.featurewiseStdNormalization) this.warnOnce('fitStd', "ImageDataGenerator specifies featurewiseStdNormalization, but it hasn't been fit on any training data. Fit it first by calling .fit(x).");
      const mean = o.featurewiseCenter && this.mean ? this.mean : null;
      const inv = o.featurewiseStdNormalization && this.std ? Float32Array.from(this.std, (s) => 1 / (s + STD_EPSILON)) : null;
      if ((mean && mean.length !== c) || (inv && inv.length !== c)) throw new ValueError(`ImageDataGenerator: fit() saw ${(mean ?? inv)?.length} channels, the images have ${c}`);
      for (let j = offset; j < offset + count * size; j++) {
        const k = j % c;
        let v = data[j];
        if (mean) v -= mean[k];
        if (inv) v *= inv[k];
        data[j] = v;
      }
    }
  }

  /** Standardise a batch (N, H, W, C) or one image (H, W, C); returns a new tensor. */
  standardize(x: Tensor | TensorLike): Tensor {
    const t = x instanceof Tensor ? x : tensor(x);
    if (t.rank !== 3 && t.rank !== 4) throw new ValueError(`ImageDataGenerator.standardize: expected (H, W, C) or (N, H, W, C), got [${t.shape.join(', ')}]`);
    const shape = t.shape.slice(-3) as [number, number, number];
    const data = Float32Array.from(t.values);
    this.standardizeInto(data, 0, t.rank === 4 ? t.shape[0] : 1, shape);
    return new Tensor(data, t.shape);
  }

  /** Batches of augmented images (and labels), usable by model.fit (a BatchSource). */
  flow(x: Tensor | TensorLike, y?: Tensor | TensorLike | null, options: FlowOptions = {}): FlowIterator {
    return new FlowIterator(this, x instanceof Tensor ? x : tensor(x), y === undefined || y === null ? null : y instanceof Tensor ? y : tensor(y), options);
  }
}

function imageTensor(x: Tensor | TensorLike, what: string): Tensor {
  const t = x instanceof Tensor ? x : tensor(x);
  if (t.rank !== 3) throw new ValueError(`ImageDataGenerator.${what}: expected one image (H, W, C), got shape [${t.shape.join(', ')}]`);
  return t;
}

export function toFloat32(t: Tensor): Float32Array {
  return t.values instanceof Float32Array ? t.values : Float32Array.from(t.values);
}
