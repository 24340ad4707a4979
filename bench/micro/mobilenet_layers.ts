/**
 * Where MobileNetV2's predict() time goes: every Backend call of a batch inside the real model run
 * (cold weights, the executor's storage reuse, JavaScript between layers), grouped by kernel and
 * shape, with the mean per pass, the call count, and the min / median per call in µs.
 * Inference plans are off (they replay kernels without the Backend calls timed here).
 * Run: CONVKIT_NUM_THREADS=2 node dist/bench/micro/mobilenet_layers.js [batch=1] [passes=20]
 */
import { tensor, getBackend } from '../../src/index.js';
import { mobileNetV2 } from '../../src/applications/index.js';

process.env.CONVKIT_PLAN = '0';

const backend = getBackend() as unknown as Record<string, unknown>;
const stats = new Map<string, number[]>();
for (const name of Object.keys(backend)) {
  const fn = backend[name];
  if (typeof fn !== 'function') continue;
  backend[name] = (...args: unknown[]) => {
    const t0 = process.hrtime.bigint();
    const result = (fn as (...a: unknown[]) => unknown).apply(backend, args);
    const us = Number(process.hrtime.bigint() - t0) / 1e3;
    const info = args.find((a): a is Record<string, number> => typeof a === 'object' && a !== null && 'filterHeight' in a);
    const key = info
      ? `${name} ${info.inHeight}x${info.inWidth}x${info.inChannels}->${info.outChannels} k${info.filterHeight} s${info.strideHeight}`
      : name;
    const list = stats.get(key);
    if (list) list.push(us);
    else stats.set(key, [us]);
    return result;
  };
}

const batch = Number(process.argv[2] ?? 1);
const passes = Number(process.argv[3] ?? 20);
const model = mobileNetV2();
const x = tensor(Float32Array.from({ length: batch * 224 * 224 * 3 }, () => Math.random() * 2 - 1), [batch, 224, 224, 3]);
for (let i = 0; i < 5; i++) model.predict(x, { batchSize: batch });
stats.clear();
const t0 = performance.now();
for (let i = 0; i < passes; i++) model.predict(x, { batchSize: batch });
const perPass = (performance.now() - t0) / passes;

let kernels = 0;
const rows = [...stats].map(([key, times]) => {
  const total = times.reduce((a, b) => a + b, 0) / passes / 1e3;
  kernels += total;
  times.sort((a, b) => a - b);
  return { key, total, calls: times.length / passes, min: times[0], median: times[times.length >> 1] };
}).sort((a, b) => b.total - a.total);
console.log('  ms/pass calls   min µs   med µs  kernel');
for (const r of rows) {
  console.log(`${r.total.toFixed(3).padStart(9)} ${r.calls.toFixed(0).padStart(5)} ${r.min.toFixed(0).padStart(8)} ${r.median.toFixed(0).padStart(8)}  ${r.key}`);
}
console.log(`kernels ${kernels.toFixed(2)} ms of ${perPass.toFixed(2)} ms per pass (batch ${batch}; the timing wrapper itself adds to the pass)`);
