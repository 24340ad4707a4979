/**
 * TensorFlow.js peer (the `cpu` or `wasm` backend; both single-threaded under Node): the same
 * models as convkit, built with tf.layers. `--backend cpu|wasm --workload lenet|cifar|mobilenet|sgemm`.
 * A kernel the backend lacks (wasm has no Conv2DBackpropFilter) is reported as unsupported.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { emit, fillRandom, gemmRate, mobilenetKind, parseChildArgs, peakRssMB, randomLabels, runVariants, throughput } from '../common.js';

const args = parseChildArgs();
const backend = args.rest.get('backend') ?? 'cpu';
if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend ${backend} did not initialise`);
await tf.ready();

function lenet5(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', inputShape: [28, 28, 1] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 120, activation: 'relu' }),
      tf.layers.dense({ units: 84, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

function cifarCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [32, 32, 3] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

type Sym = tf.SymbolicTensor;

function makeDivisible(v: number, d: number): number {
  let n = Math.max(d, Math.floor(Math.trunc(v + d / 2) / d) * d);
  if (n < 0.9 * v) n += d;
  return n;
}

/** keras.applications.MobileNetV2 (alpha 1, 224×224, with the top) in tf.layers. */
function mobileNetV2(): tf.LayersModel {
  const bn = (x: Sym) => tf.layers.batchNormalization({ epsilon: 1e-3, momentum: 0.999 }).apply(x) as Sym;
  const relu6 = (x: Sym) => tf.layers.reLU({ maxValue: 6 }).apply(x) as Sym;
  const input = tf.input({ shape: [224, 224, 3] });
  let x = tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(input) as Sym;
  x = relu6(bn(x));
  const blocks: [number, number, number][] = [[16, 1, 1], [24, 2, 6], [24, 1, 6], [32, 2, 6], [32, 1, 6], [32, 1, 6], [64, 2, 6], [64, 1, 6],
    [64, 1, 6], [64, 1, 6], [96, 1, 6], [96, 1, 6], [96, 1, 6], [160, 2, 6], [160, 1, 6], [160, 1, 6], [320, 1, 6]];
  blocks.forEach(([filters, stride, expansion], id) => {
    const inputs = x;
    const inC = x.shape[3] as number;
    const outC = makeDivisible(filters, 8);
    if (id) x = relu6(bn(tf.layers.conv2d({ filters: expansion * inC, kernelSize: 1, useBias: false }).apply(x) as Sym));
    if (stride === 2) {
      const h = x.shape[1] as number;
      const w = x.shape[2] as number;
      // Keras's correct_pad: one row/column less on top/left when the size is even.
      x = tf.layers.zeroPadding2d({ padding: [[h % 2, 1], [w % 2, 1]] }).apply(x) as Sym;
    }
    x = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, useBias: false, padding: stride === 1 ? 'same' : 'valid' }).apply(x) as Sym;
    x = relu6(bn(x));
    x = bn(tf.layers.conv2d({ filters: outC, kernelSize: 1, useBias: false }).apply(x) as Sym);
    if (inC === outC && stride === 1) x = tf.layers.add().apply([inputs, x]) as Sym;
  });
  x = relu6(bn(tf.layers.conv2d({ filters: 1280, kernelSize: 1, useBias: false }).apply(x) as Sym));
  x = tf.layers.globalAveragePooling2d({}).apply(x) as Sym;
  x = tf.layers.dense({ units: 1000, activation: 'softmax' }).apply(x) as Sym;
  return tf.model({ inputs: input, outputs: x });
}

function randomTensor(shape: number[], seed: number, lo = 0, hi = 1): tf.Tensor {
  return tf.tensor(fillRandom(new Float32Array(shape.reduce((a, b) => a * b, 1)), seed, lo, hi), shape);
}

let results;
const w = args.workload;
if (w === 'lenet' || w === 'cifar') {
  const [build, shape] = w === 'lenet' ? [lenet5, [28, 28, 1]] as const : [cifarCnn, [32, 32, 3]] as const;
  results = await runVariants(args, () => throughput, (batch) => {
    const model = build();
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
    const x = randomTensor([batch, ...shape], 1);
    const y = tf.tensor(Float32Array.from(randomLabels(batch, 10)), [batch, 1]);
    return () => model.trainOnBatch(x, y);
  });
} else if (w === 'mobilenet') {
  const model = mobileNetV2();
  results = await runVariants(args, mobilenetKind, (batch) => {
    const x = randomTensor([batch, 224, 224, 3], 3, -1, 1);
    return () => {
      const y = model.predict(x) as tf.Tensor;
      y.dataSync();
      y.dispose();
    };
  });
} else if (w === 'sgemm') {
  results = await runVariants(args, () => gemmRate, (n) => {
    const a = randomTensor([n, n], 1, -1, 1);
    const b = randomTensor([n, n], 2, -1, 1);
    return () => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    };
  });
} else {
  throw new Error(`tfjs_bench: unknown workload ${w}`);
}
emit({ framework: `tfjs-${backend}`, workload: w, threads: args.threads, info: { version: tf.version.tfjs, backend: tf.getBackend() }, results, peakRssMB: peakRssMB() });
