/**
 * Micro-benchmark of the native convolution kernels: the seed CIFAR CNN's and LeNet-5's convs
 * (forward, backprop-input, backprop-filter in GFLOP/s, next to a plain GEMM of the same m·n·k for
 * reference) and MobileNetV2's depthwise 3×3 layers (ms), at 1 and 2 threads.
 * Run: node dist/bench/micro/conv.js [--quick]
 */
import { loadAddon } from '../../src/backend/native/addon.js';
import { createNativeBackend } from '../../src/backend/native/index.js';
import { conv2dInfo, type Conv2DInfo, type Padding } from '../../src/shape/conv.js';
import { convInfoArray } from '../../src/backend/native/conv.js';

const { addon, error } = loadAddon();
if (!addon) throw new Error(`native addon not available: ${error}`);
const be = createNativeBackend();
const quick = process.argv.includes('--quick');
const budgetMs = quick ? 150 : 400;

/** Median wall time (ms) of fn over repeated calls within the budget, after one warm-up call. */
function time(fn: () => void): number {
  fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < budgetMs && times.length < 200)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

interface ConvLayer {
  name: string;
  hwc: [number, number, number];
  oc: number;
  k: number;
  padding: Padding;
}

const CIFAR: ConvLayer[] = [
  { name: 'cifar conv1 32x32x3->32 3x3 valid', hwc: [32, 32, 3], oc: 32, k: 3, padding: 'valid' },
  { name: 'cifar conv2 15x15x32->64 3x3 valid', hwc: [15, 15, 32], oc: 64, k: 3, padding: 'valid' },
  { name: 'cifar conv3 6x6x64->64 3x3 valid', hwc: [6, 6, 64], oc: 64, k: 3, padding: 'valid' },
  { name: 'same 32x32x3->32 3x3', hwc: [32, 32, 3], oc: 32, k: 3, padding: 'same' },
  { name: 'same 16x16x32->64 3x3', hwc: [16, 16, 32], oc: 64, k: 3, padding: 'same' },
  { name: 'same 8x8x64->64 3x3', hwc: [8, 8, 64], oc: 64, k: 3, padding: 'same' },
  { name: 'lenet conv1 28x28x1->6 5x5 same', hwc: [28, 28, 1], oc: 6, k: 5, padding: 'same' },
  { name: 'lenet conv2 14x14x6->16 5x5 same', hwc: [14, 14, 6], oc: 16, k: 5, padding: 'same' },
];

function info(l: ConvLayer, batch: number, stride = 1, multiplier = 0): Conv2DInfo {
  return conv2dInfo({ inShape: [batch, ...l.hwc], filterSize: [l.k, l.k], strides: [stride, stride], dilations: [1, 1],
    padding: l.padding, name: l.name }, multiplier ? l.hwc[2] * multiplier : l.oc, multiplier || 1);
}

type MatmulFn = (a: Float32Array, b: Float32Array, out: Float32Array, batch: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, bBatch: number) => void;

function convRow(l: ConvLayer, batch: number): string {
  const i = info(l, batch);
  const x = rand(batch * l.hwc[0] * l.hwc[1] * l.hwc[2]);
  const f = rand(l.k * l.k * l.hwc[2] * l.oc);
  const dy = rand(batch * i.outHeight * i.outWidth * l.oc);
  const bias = rand(l.oc);
  const m = batch * i.outHeight * i.outWidth, k = l.k * l.k * l.hwc[2], n = l.oc;
  const gflop = 2 * m * k * n / 1e9;
  const fwd = time(() => be.conv2d!(x, f, i, { bias, activation: 'relu' }));
  // The same call into a preallocated output: without the fresh Float32Array the backend returns
  // (its zero-fill and first-touch page faults are serial and weigh on large, cheap layers).
  const y = new Float32Array(m * n), arr = convInfoArray(i);
  const fwdKernel = time(() => (addon!.conv2d as (...a: unknown[]) => void)(x, f, bias, y, arr, 1));
  const bpi = time(() => be.conv2dBackpropInput!(dy, f, i));
  const bpf = time(() => be.conv2dBackpropFilter!(x, dy, i));
  // Reference: the same GEMM with the patch matrix already built.
  const a = rand(m * k), c = new Float32Array(m * n);
  const gemm = time(() => (addon!.matmul as MatmulFn)(a, f, c, 1, m, k, n, false, false, 1));
  const r = (ms: number) => (gflop / (ms / 1e3)).toFixed(1).padStart(6);
  return `${l.name.padEnd(36)} b${String(batch).padEnd(4)} fwd ${r(fwd)} (kernel ${r(fwdKernel)})  bpi ${r(bpi)}  bpf ${r(bpf)}  gemm ${r(gemm)}` +
    `  GFLOP/s  (fwd ${(100 * gemm / fwd).toFixed(0)}%, kernel ${(100 * gemm / fwdKernel).toFixed(0)}% of gemm; ms ${fwd.toFixed(2)}/${bpi.toFixed(2)}/${bpf.toFixed(2)})`;
}

const DEPTHWISE: { name: string; l: ConvLayer; stride: number }[] = [
  { name: 'mnv2 dw 112x112x32 s1', l: { name: '', hwc: [112, 112, 32], oc: 32, k: 3, padding: 'same' }, stride: 1 },
  { name: 'mnv2 dw 112x112x96 s2', l: { name: '', hwc: [112, 112, 96], oc: 96, k: 3, padding: 'same' }, stride: 2 },
  { name: 'mnv2 dw 14x14x576 s1', l: { name: '', hwc: [14, 14, 576], oc: 576, k: 3, padding: 'same' }, stride: 1 },
];

function depthwiseRow(name: string, l: ConvLayer, stride: number, batch: number): string {
  const i = info(l, batch, stride, 1);
  const x = rand(batch * l.hwc[0] * l.hwc[1] * l.hwc[2]);
  const f = rand(9 * l.hwc[2]);
  const dy = rand(batch * i.outHeight * i.outWidth * l.hwc[2]);
  const fwd = time(() => be.depthwiseConv2d!(x, f, i));
  const bpi = time(() => be.depthwiseConv2dBackpropInput!(dy, f, i));
  const bpf = time(() => be.depthwiseConv2dBackpropFilter!(x, dy, i));
  const gflop = 2 * batch * i.outHeight * i.outWidth * l.hwc[2] * 9 / 1e9;
  return `${name.padEnd(24)} b${String(batch).padEnd(3)} fwd ${fwd.toFixed(3).padStart(8)} ms  bpi ${bpi.toFixed(3).padStart(8)} ms` +
    `  bpf ${bpf.toFixed(3).padStart(8)} ms  (fwd ${(gflop / (fwd / 1e3)).toFixed(1)} GFLOP/s)`;
}

/**
 * Resizing the pool right after its workers were started can hang (a worker that has not yet
 * begun waiting misses the stop signal, see the report on common/parallel.cc): give them time.
 */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

const original = addon.info().threads;
await settle();
console.log(`convkit native conv micro-benchmark — isa ${addon.info().isa}, ${original} threads available`);
for (const threads of [1, 2]) {
  addon.setNumThreads(threads);
  await settle();
  console.log(`\n== ${threads} thread(s) ==`);
  for (const batch of [32, 128]) for (const l of CIFAR) console.log(convRow(l, batch));
  for (const batch of [1, 8]) for (const d of DEPTHWISE) console.log(depthwiseRow(d.name, d.l, d.stride, batch));
}
await settle();
addon.setNumThreads(original);
