/**
 * Micro-benchmark of the native SGEMM (addon.matmul): square sizes and the CNN shapes that matter
 * (im2col conv forward, backward-filter with transA, dense layers, MobileNetV2 1×1 convs), in
 * GFLOP/s (median of repeated calls), for every ISA path the CPU has and 1 and 2 threads.
 * Run: node dist/bench/micro/gemm.js [--quick] [--isa=avx512,avx2,generic] [--threads=1,2] [--filter=mnv2]
 */
import { loadAddon } from '../../src/backend/native/addon.js';

const { addon, error } = loadAddon();
if (!addon) throw new Error(`native addon not available: ${error}`);
type MatmulFn = (a: Float32Array, b: Float32Array, out: Float32Array, batch: number, m: number, k: number,
  n: number, transA: boolean, transB: boolean, bBatch: number) => void;
const matmul = addon.matmul as MatmulFn;

const quick = process.argv.includes('--quick');
const budgetMs = quick ? 150 : 500;
const arg = (name: string) => process.argv.find((s) => s.startsWith(`--${name}=`))?.split('=')[1];

interface Shape { name: string; m: number; k: number; n: number; ta?: boolean; tb?: boolean }

const SHAPES: Shape[] = [
  ...[256, 512, 1024, 2048].map((s) => ({ name: `square ${s}`, m: s, k: s, n: s })),
  { name: 'lenet conv1 fwd (32·24·24, 25, 6)', m: 32 * 24 * 24, k: 25, n: 6 },
  { name: 'lenet conv2 fwd (32·8·8, 150, 16)', m: 32 * 8 * 8, k: 150, n: 16 },
  { name: 'cnn conv1 fwd (128·32·32, 27, 32)', m: 128 * 32 * 32, k: 27, n: 32 },
  { name: 'cnn conv2 fwd (128·16·16, 288, 64)', m: 128 * 16 * 16, k: 288, n: 64 },
  { name: 'cnn conv3 fwd (128·8·8, 576, 64)', m: 128 * 8 * 8, k: 576, n: 64 },
  { name: 'lenet conv2 dW (150, 32·8·8, 16) tA', m: 150, k: 32 * 8 * 8, n: 16, ta: true },
  { name: 'cnn conv1 dW (27, 128·32·32, 32) tA', m: 27, k: 128 * 32 * 32, n: 32, ta: true },
  { name: 'cnn conv2 dW (288, 128·16·16, 64) tA', m: 288, k: 128 * 16 * 16, n: 64, ta: true },
  { name: 'cnn conv2 dX (128·16·16, 64, 288) tB', m: 128 * 16 * 16, k: 64, n: 288, tb: true },
  { name: 'dense (32, 400, 120)', m: 32, k: 400, n: 120 },
  { name: 'dense (32, 120, 84)', m: 32, k: 120, n: 84 },
  { name: 'dense (128, 4096, 84)', m: 128, k: 4096, n: 84 },
  { name: 'dense (128, 84, 10)', m: 128, k: 84, n: 10 },
  { name: 'dense dW (4096, 128, 84) tA', m: 4096, k: 128, n: 84, ta: true },
  { name: 'mnv2 1x1 (16·112·112, 32, 16)', m: 16 * 112 * 112, k: 32, n: 16 },
  { name: 'mnv2 1x1 (16·56·56, 96, 24)', m: 16 * 56 * 56, k: 96, n: 24 },
  { name: 'mnv2 1x1 (16·28·28, 32, 192)', m: 16 * 28 * 28, k: 32, n: 192 },
  { name: 'mnv2 1x1 (16·14·14, 384, 64)', m: 16 * 14 * 14, k: 384, n: 64 },
  { name: 'mnv2 1x1 (16·7·7, 960, 160)', m: 16 * 7 * 7, k: 960, n: 160 },
  { name: 'mnv2 1x1 (16·7·7, 320, 1280)', m: 16 * 7 * 7, k: 320, n: 1280 },
  ...mnv2Shapes(),
];

/** Every MobileNetV2 224×224 1×1 conv (expand m=HW,k=C,n=6C; project m=HW,k=6C,n=C'), batch 1 and 16. */
function mnv2Shapes(): Shape[] {
  const layers: [number, number, number][] = [
    [112, 32, 16], [112, 16, 96], [56, 96, 24], [56, 24, 144], [56, 144, 24], [28, 144, 32], [28, 32, 192],
    [28, 192, 32], [14, 192, 64], [14, 64, 384], [14, 384, 64], [14, 384, 96], [14, 96, 576], [14, 576, 96],
    [7, 576, 160], [7, 160, 960], [7, 960, 160], [7, 960, 320], [7, 320, 1280],
  ];
  return [1, 16].flatMap((b) => layers.map(([hw, k, n]) => ({ name: `mnv2 b${b} ${hw}² k${k} n${n}`, m: b * hw * hw, k, n })));
}

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/** Median wall time (ms) over repeated calls within the budget, after one warm-up call. */
function time(fn: () => void): number {
  fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < budgetMs && times.length < 100)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const info = addon.info();
const isas = (arg('isa') ?? 'avx512,avx2,generic').split(',').filter((isa) => {
  const order = ['generic', 'avx2', 'avx512'];
  return order.indexOf(isa) <= order.indexOf(info.detectedIsa);
}) as ('generic' | 'avx2' | 'avx512')[];
const threads = (arg('threads') ?? '1,2').split(',').map(Number);
const origIsa = info.isa as 'generic' | 'avx2' | 'avx512';
const filter = arg('filter');
const shapes = filter ? SHAPES.filter((s) => s.name.includes(filter)) : SHAPES;

console.log(`native sgemm, ${info.compiler}, detected ${info.detectedIsa}; GFLOP/s (median)`);
const cols = threads.flatMap((t) => isas.map((isa) => `${isa}/${t}t`));
const data = shapes.map((s) => ({ s, a: rand(s.m * s.k), b: rand(s.k * s.n), out: new Float32Array(s.m * s.n) }));
const table: string[][] = shapes.map(() => []);
// Threads outermost: the pool is resized once per count (and given time to start its workers).
for (const t of threads) {
  addon.setNumThreads(t);
  await new Promise((r) => setTimeout(r, 50));
  for (const isa of isas) {
    addon.setIsa(isa);
    data.forEach(({ s, a, b, out }, i) => {
      const ms = time(() => matmul(a, b, out, 1, s.m, s.k, s.n, s.ta ?? false, s.tb ?? false, 1));
      table[i].push((2 * s.m * s.n * s.k / ms / 1e6).toFixed(1).padStart(12));
    });
  }
}
addon.setIsa(origIsa);
addon.setNumThreads(info.threads);
console.log(['shape'.padEnd(40), ...cols.map((c) => c.padStart(12))].join(''));
shapes.forEach((s, i) => console.log([s.name.padEnd(40), ...table[i]].join('')));
