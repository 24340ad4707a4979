/**
 * Augmentation throughput (the issue: augmentation must not starve training): ImageDataGenerator
 * with seed 003's options (rotation 10°, zoom 0.2, shear 0.7, shifts 0.1, horizontal flips), one
 * flow() batch of 128 images at a time, in images/s. `--sizes 28,32` are image sides: 28×28×1
 * (Fashion-MNIST) and 32×32×3 (CIFAR-10). Runs on the main thread (pure TypeScript, no threads),
 * as it does inside model.fit. Variants are named `img<H>x<W>x<C>`; bench/run.ts relies on that.
 */
import { ImageDataGenerator } from '../../src/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { classifyError, emit, fillRandom, measure, parseChildArgs, peakRssMB, type VariantResult } from '../common.js';
import { convkitInfo } from './convkit_env.js';

const BATCH = 128;
const SAMPLES = 2048;
const SEED003 = { rotationRange: 10, zoomRange: 0.2, shearRange: 0.7, widthShiftRange: 0.1, heightShiftRange: 0.1, horizontalFlip: true, verticalFlip: false };

const args = parseChildArgs();
const results: VariantResult[] = [];
for (const side of args.sizes) {
  const channels = side === 28 ? 1 : 3;
  const variant = `img${side}x${side}x${channels}`;
  try {
    const x = new Tensor(fillRandom(new Float32Array(SAMPLES * side * side * channels), side, 0, 255), [SAMPLES, side, side, channels]);
    const flow = new ImageDataGenerator({ ...SEED003, rescale: 1 / 255 }).flow(x, null, { batchSize: BATCH, seed: 1 });
    let i = 0;
    const t = await measure(() => flow.batchX(i++ % flow.length), args.policy);
    results.push({ variant, size: side, metric: 'images/s', status: 'ok', value: BATCH / (t.medianMs / 1000), medianStepMs: t.medianMs, steps: t.samplesMs.length, warmup: t.warmup });
  } catch (e) {
    results.push({ variant, size: side, metric: 'images/s', ...classifyError(e instanceof Error ? e.message : String(e)) });
  }
}
emit({ framework: 'convkit', workload: 'augment', threads: args.threads, info: { ...convkitInfo(), batch: BATCH, options: SEED003 }, results, peakRssMB: peakRssMB() });
