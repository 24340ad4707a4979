/**
 * ImageDataGenerator.flow(): Keras's NumpyArrayIterator as a BatchSource. Batch i of an epoch is
 * a pure function of (seed, epoch, i) — the shuffle order and every image's random transform —
 * so batches can be requested in any order and a seed reproduces a whole run.
 */
import type { Batch, BatchSource } from '../batch_source.js';
import { ValueError } from '../../errors.js';
import { gather } from '../../ops/movement.js';
import { getGlobalRandom, Random } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import type { ImageDataGenerator } from './image_data_generator.js';

export interface FlowOptions {
  /** Default 32. The last batch is smaller when it does not divide the sample count. */
  batchSize?: number;
  /** Reshuffle the samples every epoch (default true). */
  shuffle?: boolean;
  /** Seeds the shuffle and the transforms; without one, drawn from convkit's global generator. */
  seed?: number;
}

/** A 32-bit seed from (seed, epoch, batch): splitmix-style mixing so neighbours are unrelated. */
function mix(seed: number, epoch: number, index: number): number {
  let h = (seed ^ Math.imul(epoch + 1, 0x9e3779b1) ^ Math.imul(index + 2, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export class FlowIterator implements BatchSource {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly n: number;
  /** Epochs completed (onEpochEnd calls): part of every batch's seed. */
  epoch = 0;
  private order: Int32Array;
  private nextIndex = 0;
  private readonly imageShape: [number, number, number];
  private readonly pixels: Float32Array;

  constructor(readonly generator: ImageDataGenerator, readonly x: Tensor, readonly y: Tensor | null, options: FlowOptions = {}) {
    if (x.rank !== 4) throw new ValueError(`ImageDataGenerator.flow: x should have rank 4 (N, H, W, C), got shape [${x.shape.join(', ')}]`);
    if (y && y.shape[0] !== x.shape[0]) {
      throw new ValueError(`ImageDataGenerator.flow: x (images) and y (labels) should have the same length. Found: x.shape = [${x.shape.join(', ')}], y.shape = [${y.shape.join(', ')}]`);
    }
    const bs = options.batchSize ?? 32;
    if (!Number.isInteger(bs) || bs < 1) throw new ValueError(`ImageDataGenerator.flow: batchSize must be a positive integer, got ${options.batchSize}`);
    this.batchSize = bs;
    this.shuffle = options.shuffle ?? true;
    this.seed = options.seed ?? getGlobalRandom().nextUint32();
    this.n = x.shape[0];
    this.imageShape = [x.shape[1], x.shape[2], x.shape[3]];
    this.pixels = x.values instanceof Float32Array ? x.values : Float32Array.from(x.values);
    this.order = this.makeOrder();
  }

  get length(): number {
    return Math.ceil(this.n / this.batchSize);
  }

  private makeOrder(): Int32Array {
    const idx = Int32Array.from({ length: this.n }, (_, i) => i);
    return this.shuffle ? new Random(mix(this.seed, this.epoch, -1)).shuffle(idx) : idx;
  }

  /** Sample indices of batch `index` in the current epoch. */
  indices(index: number): Int32Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new ValueError(`Asked to retrieve element ${index}, but the Sequence has length ${this.length}`);
    }
    return this.order.subarray(index * this.batchSize, Math.min(this.n, (index + 1) * this.batchSize));
  }

  /** The augmented, standardised images of batch `index`. */
  batchX(index: number): Tensor {
    const idx = this.indices(index);
    const [h, w, c] = this.imageShape;
    const size = h * w * c;
    const out = new Float32Array(idx.length * size);
    const rng = new Random(mix(this.seed, this.epoch, index));
    const g = this.generator;
    for (let i = 0; i < idx.length; i++) {
      g.transformInto(this.pixels, idx[i] * size, out, i * size, h, w, c, g.randomTransform(this.imageShape, rng));
    }
    g.standardizeInto(out, 0, idx.length, this.imageShape);
    return new Tensor(out, [idx.length, h, w, c]);
  }

  batch(index: number): Batch {
    if (!this.y) throw new ValueError('ImageDataGenerator.flow(x) was given no labels: use flow(x, y) to train, or batchX(i) / next() for the images alone');
    const x = this.batchX(index);
    return [x, gather(this.y, Array.from(this.indices(index)), 0)];
  }

  onEpochEnd(): void {
    this.epoch++;
    this.order = this.makeOrder();
  }

  /**
   * Python's next(iterator): the next batch (images, or [images, labels] when flow had labels),
   * wrapping around with a new epoch after the last one.
   */
  next(): Tensor | Batch {
    const i = this.nextIndex;
    const out = this.y ? this.batch(i) : this.batchX(i);
    this.nextIndex++;
    if (this.nextIndex >= this.length) {
      this.nextIndex = 0;
      this.onEpochEnd();
    }
    return out;
  }
}
