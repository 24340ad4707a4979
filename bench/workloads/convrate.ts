/**
 * The target "the large 3×3 convolutions of the CIFAR model at ≥ 60% of the measured sgemm
 * rate": the native backend's conv2d forward, conv2dBackpropInput and conv2dBackpropFilter on the
 * seed CIFAR CNN's 3×3 convs with ≥ 32 input channels, in GFLOP/s (2·N·OH·OW·KH·KW·Cin·Cout per
 * pass). `--sizes 32,128` are batch sizes; `--sgemm 1024` also times sgemm n=1024 here, for a run
 * where the sgemm workload was not selected. Threads come from CONVKIT_NUM_THREADS.
 * Variants are named `<layer>.<pass>.b<batch>` (and `sgemm.n1024`); bench/run.ts relies on that.
 */
import { tensor, ops, getBackend } from '../../src/index.js';
import { seedCifarCnn } from '../../src/applications/index.js';
import { Conv2D } from '../../src/layers/convolutional.js';
import type { SymShape } from '../../src/layers/symbolic.js';
import { createNativeBackend } from '../../src/backend/native/index.js';
import { conv2dInfo, type Conv2DInfo } from '../../src/shape/conv.js';
import { classifyError, emit, fillRandom, measure, parseChildArgs, peakRssMB, type Policy, type VariantResult } from '../common.js';
import { convkitInfo } from './convkit_env.js';

const MIN_IN_CHANNELS = 32;

interface ConvLayer {
  name: string;
  inHWC: [number, number, number];
  filters: number;
  layer: Conv2D;
}

/** Walks the model's layers with their traced shapes, so the figures follow the model if it changes. */
function largeConvs(): ConvLayer[] {
  const model = seedCifarCnn();
  let shape = model.inputShape as SymShape;
  const out: ConvLayer[] = [];
  let index = 0;
  for (const layer of model.layers) {
    if (layer instanceof Conv2D) {
      index++;
      const [, h, w, c] = shape as number[];
      if (layer.kernelSize[0] === 3 && layer.kernelSize[1] === 3 && c >= MIN_IN_CHANNELS) {
        out.push({ name: `conv${index}`, inHWC: [h, w, c], filters: layer.filters, layer });
      }
    }
    shape = layer.computeOutputShape(shape) as SymShape;
  }
  return out;
}

function infoFor(l: ConvLayer, batch: number): Conv2DInfo {
  return conv2dInfo({ inShape: [batch, ...l.inHWC], filterSize: l.layer.kernelSize, strides: l.layer.strides,
    dilations: l.layer.dilationRate, padding: l.layer.padding, name: l.name }, l.filters);
}

const args = parseChildArgs();
// Many small variants (layers × passes × batches): a shorter budget each keeps the child short.
const policy: Policy = {
  ...args.policy,
  budget: Math.min(args.policy.budget, 0.5),
  warmupBudget: Math.min(args.policy.warmupBudget, 0.25),
  minSteps: Math.max(args.policy.minSteps, 5),
};
const sgemmN = args.rest.has('sgemm') ? Number(args.rest.get('sgemm')) : 0;
const results: VariantResult[] = [];

async function timeRate(variant: string, size: number, gflop: number, setup: () => () => unknown): Promise<void> {
  try {
    const step = setup();
    const t = await measure(step, policy);
    results.push({ variant, size, metric: 'GFLOP/s', status: 'ok', value: gflop / (t.medianMs / 1000), medianStepMs: t.medianMs,
      steps: t.samplesMs.length, warmup: t.warmup, ...(t.cold ? { cold: true } : {}) });
  } catch (e) {
    results.push({ variant, size, metric: 'GFLOP/s', ...classifyError(e instanceof Error ? e.message : String(e)) });
  }
}

const be = createNativeBackend();
/** A kernel the native backend lacks would fall back to js: report it as an error, do not time it. */
function kernel<K extends 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter'>(k: K): NonNullable<typeof be[K]> {
  const fn = be[k];
  if (!fn) throw new Error(`the native backend has no ${k} kernel`);
  return fn as NonNullable<typeof be[K]>;
}
const convs = largeConvs();
for (const l of convs) {
  for (const batch of args.sizes) {
    const i = infoFor(l, batch);
    const [h, w, c] = l.inHWC;
    const kh = l.layer.kernelSize[0], kw = l.layer.kernelSize[1];
    const gflop = 2 * batch * i.outHeight * i.outWidth * kh * kw * c * l.filters / 1e9;
    const x = fillRandom(new Float32Array(batch * h * w * c), 1, -1, 1);
    const f = fillRandom(new Float32Array(kh * kw * c * l.filters), 2, -1, 1);
    const dy = fillRandom(new Float32Array(batch * i.outHeight * i.outWidth * l.filters), 3, -1, 1);
    const bias = fillRandom(new Float32Array(l.filters), 4, -1, 1);
    // The model's layers run with bias and relu fused into the forward pass.
    await timeRate(`${l.name}.fwd.b${batch}`, batch, gflop, () => { const k = kernel('conv2d'); return () => k(x, f, i, { bias, activation: 'relu' }); });
    await timeRate(`${l.name}.bpi.b${batch}`, batch, gflop, () => { const k = kernel('conv2dBackpropInput'); return () => k(dy, f, i); });
    await timeRate(`${l.name}.bpf.b${batch}`, batch, gflop, () => { const k = kernel('conv2dBackpropFilter'); return () => k(x, dy, i); });
  }
}
if (sgemmN > 0) {
  // The same call as bench/workloads/sgemm.ts.
  getBackend();
  await timeRate(`sgemm.n${sgemmN}`, sgemmN, 2 * sgemmN ** 3 / 1e9, () => {
    const a = tensor(fillRandom(new Float32Array(sgemmN * sgemmN), 1, -1, 1), [sgemmN, sgemmN]);
    const b = tensor(fillRandom(new Float32Array(sgemmN * sgemmN), 2, -1, 1), [sgemmN, sgemmN]);
    return () => ops.matMul(a, b);
  });
}
const layers = convs.map((l) => ({ name: l.name, inHWC: l.inHWC, filters: l.filters, kernel: l.layer.kernelSize, padding: l.layer.padding }));
emit({ framework: 'convkit', workload: 'convrate', threads: args.threads, info: { ...convkitInfo(), layers }, results, peakRssMB: peakRssMB() });
