/**
 * Keras 3's random image augmentation layers: RandomFlip, RandomRotation, RandomZoom,
 * RandomTranslation, RandomContrast. Active only when called with training=true (model.fit);
 * at inference they return their input. Every image of a batch gets its own random draw. They
 * augment inputs, so no gradient flows through them. Geometry follows Keras 3 / TensorFlow's
 * ImageProjectiveTransformV3 (pixel-centre coordinates, fill modes with TensorFlow's boundaries).
 */
import { checkChannelsLast } from './layer_checks.js';
import { ValueError } from '../errors.js';
import { randomFor, type Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { type FillMode, FILL_MODES, type Interpolation, type InverseAffine, warpImage, type WarpSpec } from '../data/augment/warp.js';
import { type CallContext, Layer, type LayerArgs } from './layer.js';

type Factor = number | readonly [number, number];

/** Keras's factor convention: f → [−f, f], [lo, hi] as given. */
function bounds(f: Factor, name: string, layer: string, limit = Infinity): [number, number] {
  const [lo, hi] = typeof f === 'number' ? [-Math.abs(f), Math.abs(f)] : Array.isArray(f) && f.length === 2 ? [f[0], f[1]] : [NaN, NaN];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi || Math.abs(lo) > limit || Math.abs(hi) > limit) {
    throw new ValueError(`${layer}: ${name} must be a number or [lower, upper] with lower ≤ upper${limit < Infinity ? ` within [−${limit}, ${limit}]` : ''}, got ${JSON.stringify(f)}`);
  }
  return [lo, hi];
}

export interface RandomLayerArgs extends LayerArgs {
  seed?: number | null;
  dataFormat?: string | null;
}

/** Shared by the random layers: the generator, the identity at inference, batched or single images. */
abstract class RandomImageLayer extends Layer {
  readonly seed: number | null;
  protected readonly rng: Random;

  constructor(args: RandomLayerArgs) {
    super(args);
    checkChannelsLast(args.dataFormat, new.target.name);
    this.seed = args.seed ?? null;
    this.rng = randomFor(args.seed ?? undefined);
  }

  override randomGenerators(): Random[] {
    return [this.rng];
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training) return x;
    if (x.rank !== 3 && x.rank !== 4) throw new ValueError(`${this.className} "${this.name}": expected images (H, W, C) or (N, H, W, C), got shape [${x.shape.join(', ')}]`);
    const [n, h, w, c] = x.rank === 4 ? x.shape : [1, ...x.shape];
    const src = x.values instanceof Float32Array ? x.values : Float32Array.from(x.values);
    const out = new Float32Array(src.length);
    const size = h * w * c;
    for (let i = 0; i < n; i++) this.augment(src, out, i * size, h, w, c);
    return new Tensor(out, x.shape);
  }

  /** Augment one image at `off` (h × w × c) from src into out. */
  protected abstract augment(src: Float32Array, out: Float32Array, off: number, h: number, w: number, c: number): void;

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), seed: this.seed, data_format: 'channels_last' };
  }
}

export interface RandomFlipArgs extends RandomLayerArgs {
  mode?: 'horizontal' | 'vertical' | 'horizontal_and_vertical';
}

export class RandomFlip extends RandomImageLayer {
  static override className = 'RandomFlip';
  readonly mode: NonNullable<RandomFlipArgs['mode']>;

  constructor(args: RandomFlipArgs = {}) {
    super(args);
    this.mode = args.mode ?? 'horizontal_and_vertical';
    if (!['horizontal', 'vertical', 'horizontal_and_vertical'].includes(this.mode)) {
      throw new ValueError(`RandomFlip: mode must be 'horizontal', 'vertical' or 'horizontal_and_vertical', got ${JSON.stringify(args.mode)}`);
    }
  }

  protected augment(src: Float32Array, out: Float32Array, off: number, h: number, w: number, c: number): void {
    // One draw per image, as Keras 3: in 'horizontal_and_vertical' both flips happen together.
    const flip = this.rng.uniform() <= 0.5;
    const fh = flip && this.mode !== 'vertical';
    const fv = flip && this.mode !== 'horizontal';
    const m: InverseAffine = [fv ? -1 : 1, 0, fv ? h - 1 : 0, 0, fh ? -1 : 1, fh ? w - 1 : 0];
    warpImage(src, off, out, off, { height: h, width: w, channels: c, fillMode: 'nearest', cval: 0, boundary: 'tf', interpolation: 'nearest' }, m);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mode: this.mode };
  }
}

export interface GeometricArgs extends RandomLayerArgs {
  fillMode?: FillMode;
  interpolation?: Interpolation;
  fillValue?: number;
}

/** Rotation, zoom and translation: a random inverse affine per image, warped with a fill mode. */
abstract class RandomGeometric extends RandomImageLayer {
  readonly fillMode: FillMode;
  readonly interpolation: Interpolation;
  readonly fillValue: number;

  constructor(args: GeometricArgs) {
    super(args);
    this.fillMode = args.fillMode ?? 'reflect';
    this.interpolation = args.interpolation ?? 'bilinear';
    this.fillValue = args.fillValue ?? 0;
    if (!FILL_MODES.includes(this.fillMode)) throw new ValueError(`${new.target.name}: fill_mode must be one of ${FILL_MODES.join(', ')}, got ${JSON.stringify(args.fillMode)}`);
    if (this.interpolation !== 'bilinear' && this.interpolation !== 'nearest') throw new ValueError(`${new.target.name}: interpolation must be 'bilinear' or 'nearest', got ${JSON.stringify(args.interpolation)}`);
  }

  /**
   * Keras's 8-number projective transform without perspective, [a0, a1, a2, b0, b1, b2]:
   * output (x = column, y = row) samples input (a0·x + a1·y + a2, b0·x + b1·y + b2).
   */
  protected abstract transform(h: number, w: number): [number, number, number, number, number, number];

  protected augment(src: Float32Array, out: Float32Array, off: number, h: number, w: number, c: number): void {
    const [a0, a1, a2, b0, b1, b2] = this.transform(h, w);
    const spec: WarpSpec = { height: h, width: w, channels: c, fillMode: this.fillMode, cval: this.fillValue, boundary: 'tf', interpolation: this.interpolation };
    warpImage(src, off, out, off, spec, [b1, b0, b2, a1, a0, a2]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fill_mode: this.fillMode, interpolation: this.interpolation, fill_value: this.fillValue };
  }
}

export interface RandomRotationArgs extends GeometricArgs {
  /** Fraction of a full turn (2π): f → [−f, f]·2π, or [lo, hi]·2π. */
  factor: Factor;
  valueRange?: readonly [number, number];
}

export class RandomRotation extends RandomGeometric {
  static override className = 'RandomRotation';
  readonly factor: Factor;
  readonly valueRange: readonly [number, number];
  private readonly range: [number, number];

  constructor(args: RandomRotationArgs) {
    super(args);
    if (args?.factor === undefined) throw new ValueError('RandomRotation: factor is required');
    this.factor = args.factor;
    this.range = bounds(args.factor, 'factor', 'RandomRotation');
    this.valueRange = args.valueRange ?? [0, 255];
  }

  protected transform(h: number, w: number): [number, number, number, number, number, number] {
    const angle = (this.range[0] + (this.range[1] - this.range[0]) * this.rng.uniform()) * 2 * Math.PI;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    // Rotation about the image centre ((w − 1)/2, (h − 1)/2).
    const xOff = ((w - 1) - (cos * (w - 1) - sin * (h - 1))) / 2;
    const yOff = ((h - 1) - (sin * (w - 1) + cos * (h - 1))) / 2;
    return [cos, -sin, xOff, sin, cos, yOff];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: this.factor, value_range: this.valueRange };
  }
}

export interface RandomZoomArgs extends GeometricArgs {
  /** f → zoom 1 + U(−f, f) vertically; [lo, hi] → 1 + U(lo, hi). Positive zooms out. */
  heightFactor: Factor;
  /** Defaults to the height's zoom (aspect ratio kept). */
  widthFactor?: Factor | null;
}

export class RandomZoom extends RandomGeometric {
  static override className = 'RandomZoom';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor | null;
  private readonly hRange: [number, number];
  private readonly wRange: [number, number] | null;

  constructor(args: RandomZoomArgs) {
    super(args);
    if (args?.heightFactor === undefined) throw new ValueError('RandomZoom: height_factor is required');
    this.heightFactor = args.heightFactor;
    this.widthFactor = args.widthFactor ?? null;
    this.hRange = bounds(args.heightFactor, 'height_factor', 'RandomZoom');
    this.wRange = this.widthFactor === null ? null : bounds(this.widthFactor, 'width_factor', 'RandomZoom');
    for (const r of [this.hRange, this.wRange]) if (r && r[0] < -1) throw new ValueError(`RandomZoom: factors must be ≥ −1, got ${r[0]}`);
  }

  protected transform(h: number, w: number): [number, number, number, number, number, number] {
    const u = (r: [number, number]) => r[0] + (r[1] - r[0]) * this.rng.uniform();
    const zy = 1 + u(this.hRange);
    const zx = this.wRange ? 1 + u(this.wRange) : zy;
    return [zx, 0, ((w - 1) / 2) * (1 - zx), 0, zy, ((h - 1) / 2) * (1 - zy)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), height_factor: this.heightFactor, width_factor: this.widthFactor };
  }
}

export interface RandomTranslationArgs extends GeometricArgs {
  /** Fraction of the height: f → U(−f, f)·H, [lo, hi] → U(lo, hi)·H. */
  heightFactor: Factor;
  widthFactor: Factor;
}

export class RandomTranslation extends RandomGeometric {
  static override className = 'RandomTranslation';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor;
  private readonly hRange: [number, number];
  private readonly wRange: [number, number];

  constructor(args: RandomTranslationArgs) {
    super(args);
    if (args?.heightFactor === undefined || args.widthFactor === undefined) throw new ValueError('RandomTranslation: height_factor and width_factor are required');
    this.heightFactor = args.heightFactor;
    this.widthFactor = args.widthFactor;
    this.hRange = bounds(args.heightFactor, 'height_factor', 'RandomTranslation', 1);
    this.wRange = bounds(args.widthFactor, 'width_factor', 'RandomTranslation', 1);
  }

  protected transform(h: number, w: number): [number, number, number, number, number, number] {
    const u = (r: [number, number]) => r[0] + (r[1] - r[0]) * this.rng.uniform();
    const dy = u(this.hRange) * h;
    const dx = u(this.wRange) * w;
    return [1, 0, -dx, 0, 1, -dy];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), height_factor: this.heightFactor, width_factor: this.widthFactor };
  }
}

export interface RandomContrastArgs extends RandomLayerArgs {
  /** f → contrast factor U(1 − f, 1 + f); [lo, hi] → U(1 − lo, 1 + hi). */
  factor: Factor;
  valueRange?: readonly [number, number];
}

export class RandomContrast extends RandomImageLayer {
  static override className = 'RandomContrast';
  readonly factor: Factor;
  readonly valueRange: readonly [number, number];
  private readonly lower: number;
  private readonly upper: number;

  constructor(args: RandomContrastArgs) {
    super(args);
    if (args?.factor === undefined) throw new ValueError('RandomContrast: factor is required');
    this.factor = args.factor;
    [this.lower, this.upper] = typeof args.factor === 'number' ? [args.factor, args.factor] : [args.factor[0], args.factor[1]];
    if (!(this.lower >= 0 && this.lower <= 1 && this.upper >= 0 && Number.isFinite(this.upper))) {
      throw new ValueError(`RandomContrast: factor must be in [0, 1] (or [lower, upper] with lower in [0, 1], upper ≥ 0), got ${JSON.stringify(args.factor)}`);
    }
    this.valueRange = args.valueRange ?? [0, 255];
  }

  protected augment(src: Float32Array, out: Float32Array, off: number, h: number, w: number, c: number): void {
    const f = 1 - this.lower + (this.lower + this.upper) * this.rng.uniform();
    const [lo, hi] = this.valueRange;
    const n = h * w;
    for (let k = 0; k < c; k++) {
      // (x − mean)·f + mean per channel of each image, clipped to value_range.
      let mean = 0;
      for (let p = 0; p < n; p++) mean += src[off + p * c + k];
      mean /= n;
      for (let p = 0; p < n; p++) {
        const v = (src[off + p * c + k] - mean) * f + mean;
        out[off + p * c + k] = v < lo ? lo : v > hi ? hi : v;
      }
    }
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: this.factor, value_range: this.valueRange };
  }
}
