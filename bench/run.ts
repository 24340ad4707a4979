/**
 * `npm run bench`: convkit against PyTorch, TensorFlow.js (cpu, wasm) and onnxruntime-node on the
 * same workloads, in the same run. Every framework × workload × thread count runs in its own child
 * process (so each has its own peak memory); passes interleave the frameworks and the best pass
 * counts, because this 2-vCPU machine is noisy. Prints a table and writes bench/results/latest.json.
 * `convrate` (convkit only) checks the issue's target: the CIFAR model's large 3×3 convolutions at
 * ≥ 60% of convkit's sgemm n=1024 rate, both measured in this run, printed as a second table.
 *
 *   npm run bench [-- --quick] [--only lenet,cifar,mobilenet,sgemm,convrate] [--peers torch,tfjs-cpu,tfjs-wasm,ort|none]
 *                 [--threads 1,2] [--passes N] [--out FILE]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { ChildReport, Policy, VariantResult } from './common.js';
import { DEFAULT_POLICY } from './common.js';
import { formatNumber, formatRatio, markdownTable } from './format.js';
import { GC_FLAG } from '../src/cli/node_flags.js';

const WORKLOADS = ['lenet', 'cifar', 'mobilenet', 'sgemm', 'convrate', 'augment'] as const;
type Workload = typeof WORKLOADS[number];
const PEERS = ['torch', 'tfjs-cpu', 'tfjs-wasm', 'ort'] as const;
type Peer = typeof PEERS[number];
type Framework = 'convkit' | Peer;

const WORKLOAD_SIZES: Record<Workload, number[]> = { lenet: [32, 128], cifar: [32, 128], mobilenet: [1, 16], sgemm: [1024, 2048], convrate: [32, 128], augment: [28, 32] };
const WORKLOAD_TITLES: Record<Workload, string> = {
  lenet: 'LeNet-5 train', cifar: 'CIFAR CNN train', mobilenet: 'MobileNetV2 224', sgemm: 'sgemm', convrate: 'CIFAR 3×3 conv rate', augment: 'Augmentation',
};
/** The issue's target: the large 3×3 convs at this fraction of sgemm n=CONV_TARGET_SGEMM_N's rate. */
const CONV_TARGET = 0.6;
const CONV_TARGET_SGEMM_N = 1024;
const FRAMEWORK_TITLES: Record<Framework, string> = {
  convkit: 'convkit', torch: 'PyTorch', 'tfjs-cpu': 'tfjs-cpu', 'tfjs-wasm': 'tfjs-wasm', ort: 'onnxruntime',
};
const PYTHON = '/usr/bin/python3';
const APT_PACKAGES = ['python3-torch', 'python3-torchvision', 'libopenblas0-openmp'];

// ---------------------------------------------------------------- options

interface Options {
  quick: boolean;
  only: Workload[];
  peers: Peer[];
  threads: number[];
  passes: number;
  out: string;
}

function root(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bench'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('bench: cannot find the package root');
}
const ROOT = root();

function usage(code: number): never {
  process.stdout.write(`usage: npm run bench -- [--quick] [--only ${WORKLOADS.join(',')}] [--peers ${PEERS.join(',')}|none]
                        [--threads 1,2] [--passes N] [--out FILE]
  --quick    one short pass (smoke run, 1–2 minutes)
  --only     workloads to run (default: all)
  --peers    peers to compare with (default: all); convkit always runs
  --threads  thread counts (default 1,2)
  --passes   passes over every framework; the best pass counts (default 3, --quick 1)
  --out      results file (default bench/results/latest.json)
`);
  process.exit(code);
}

function listArg<T extends string>(v: string | undefined, allowed: readonly T[], what: string): T[] {
  if (v === undefined) usage(2);
  if (v === 'none') return [];
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const it of items) {
    if (!(allowed as readonly string[]).includes(it)) {
      process.stderr.write(`bench: unknown ${what} ${JSON.stringify(it)} (known: ${allowed.join(', ')})\n`);
      process.exit(2);
    }
  }
  return allowed.filter((a) => items.includes(a));
}

function parseOptions(argv: string[]): Options {
  const o: Options = { quick: false, only: [...WORKLOADS], peers: [...PEERS], threads: [1, 2], passes: 0, out: join(ROOT, 'bench/results/latest.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--quick') o.quick = true;
    else if (flag === '--only') o.only = listArg(value(), WORKLOADS, 'workload');
    else if (flag === '--peers') o.peers = listArg(value(), PEERS, 'peer');
    else if (flag === '--threads') {
      o.threads = (value() ?? '').split(',').map(Number);
      if (o.threads.length === 0 || o.threads.some((t) => !Number.isInteger(t) || t < 1)) usage(2);
    } else if (flag === '--passes') {
      o.passes = Number(value());
      if (!Number.isInteger(o.passes) || o.passes < 1) usage(2);
    } else if (flag === '--out') o.out = resolve(value() ?? usage(2));
    else if (flag === '--help' || flag === '-h') usage(0);
    else {
      process.stderr.write(`bench: unknown option ${a}\n`);
      usage(2);
    }
  }
  if (o.passes === 0) o.passes = o.quick ? 1 : 3;
  return o;
}

// ---------------------------------------------------------------- policies

function policyFor(fw: Framework, quick: boolean): Policy {
  if (fw === 'tfjs-cpu') {
    // About 1000× slower than the rest: one pass, few steps, a lone cold step when a step is long.
    return quick
      ? { ...DEFAULT_POLICY, warmupSteps: 1, warmupBudget: 0, minSteps: 1, maxSteps: 3, budget: 1, coldLimit: 2, skipOver: 6 }
      : { ...DEFAULT_POLICY, warmupSteps: 1, warmupBudget: 0, minSteps: 1, maxSteps: 5, budget: 5, coldLimit: 10, skipOver: 40 };
  }
  return quick
    ? { ...DEFAULT_POLICY, warmupSteps: 1, warmupBudget: 0.2, minSteps: 2, maxSteps: 10, budget: 0.5, coldLimit: 10, skipOver: 20 }
    // Time-bounded rather than step-bounded: a millisecond step (LeNet-5, MobileNetV2 at batch 1)
    // gets ~1,000 samples, so one burst of noise from a neighbour cannot move the median.
    : { ...DEFAULT_POLICY, warmupSteps: 2, warmupBudget: 1, minSteps: 3, maxSteps: 2000, budget: 1.5, coldLimit: 60, skipOver: 120 };
}

// ---------------------------------------------------------------- peers' availability

interface Availability {
  ok: boolean;
  note?: string;
}

function sh(cmd: string, args: string[], timeoutS = 60): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 1 << 24 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function torchReady(): boolean {
  if (!existsSync(PYTHON)) return false;
  const r = sh(PYTHON, ['-c', 'import torch, torchvision']);
  const blas = sh('dpkg-query', ['-W', '-f=${Status}', 'libopenblas0-openmp']);
  return r.status === 0 && blas.out.includes('install ok installed');
}

/** PyTorch from Debian, with OpenBLAS (without it torch uses the reference BLAS, 20× slower). */
function ensureTorch(): Availability {
  if (torchReady()) return { ok: true };
  const how = `apt-get install -y ${APT_PACKAGES.join(' ')}`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    process.stderr.write(`bench: PyTorch is not installed; skipping it (install with: sudo ${how})\n`);
    return { ok: false, note: `not installed (${how})` };
  }
  process.stderr.write(`bench: installing PyTorch: ${how}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', ...APT_PACKAGES], { stdio: ['ignore', 'ignore', 'inherit'], env, timeout: 900_000 });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env, timeout: 300_000 });
    r = spawnSync('apt-get', ['install', '-y', ...APT_PACKAGES], { stdio: ['ignore', 'ignore', 'inherit'], env, timeout: 900_000 });
  }
  if (torchReady()) return { ok: true };
  process.stderr.write(`bench: PyTorch could not be installed; skipping it\n`);
  return { ok: false, note: 'installation failed' };
}

function nodeModuleReady(name: string): boolean {
  try {
    createRequire(join(ROOT, 'package.json')).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** MobileNetV2 and MatMul as ONNX, exported by torchvision into bench/.cache/ (kept between runs). */
function ensureOnnxModels(): Availability {
  const dir = join(ROOT, 'bench/.cache');
  const files = ['mobilenet_v2.onnx', 'matmul.onnx'].map((f) => join(dir, f));
  if (files.every((f) => existsSync(f))) return { ok: true };
  const r = sh(PYTHON, [join(ROOT, 'bench/peers/export_mobilenet.py'), dir], 600);
  if (r.status === 0 && files.every((f) => existsSync(f))) return { ok: true };
  process.stderr.write(`bench: exporting the ONNX models failed; skipping onnxruntime\n${r.out.split('\n').slice(-5).join('\n')}\n`);
  return { ok: false, note: 'ONNX export failed' };
}

function checkPeers(peers: Peer[]): Map<Peer, Availability> {
  const m = new Map<Peer, Availability>();
  const torch = peers.includes('torch') || peers.includes('ort') ? ensureTorch() : { ok: false };
  if (peers.includes('torch')) m.set('torch', torch);
  for (const p of ['tfjs-cpu', 'tfjs-wasm'] as const) {
    if (!peers.includes(p)) continue;
    const pkg = p === 'tfjs-cpu' ? '@tensorflow/tfjs' : '@tensorflow/tfjs-backend-wasm';
    m.set(p, nodeModuleReady(pkg) ? { ok: true } : { ok: false, note: `${pkg} is not installed (npm install)` });
  }
  if (peers.includes('ort')) {
    if (!nodeModuleReady('onnxruntime-node')) m.set('ort', { ok: false, note: 'not installed (ONNXRUNTIME_NODE_INSTALL=skip npm install)' });
    else if (!torch.ok) m.set('ort', { ok: false, note: 'needs python3-torchvision to export MobileNetV2' });
    else m.set('ort', ensureOnnxModels());
  }
  for (const [p, a] of m) if (!a.ok) process.stderr.write(`bench: skipping ${p}: ${a.note}\n`);
  return m;
}

// ---------------------------------------------------------------- children

/** Why a framework does not run a workload at all (nothing to measure), or null. */
function notApplicable(fw: Framework, w: Workload): string | null {
  if (fw === 'ort' && (w === 'lenet' || w === 'cifar')) return 'inference only';
  if (fw !== 'convkit' && (w === 'convrate' || w === 'augment')) return 'convkit only';
  return null;
}

/** tfjs runs on one core under Node (wasm threads are off, cpu is plain JS): measure it once. */
function singleThreaded(fw: Framework): boolean {
  return fw === 'tfjs-cpu' || fw === 'tfjs-wasm';
}

function childCommand(fw: Framework, w: Workload, threads: number, policy: Policy, extra: string[]): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const common = ['--workload', w, '--threads', String(threads), '--sizes', WORKLOAD_SIZES[w].join(','), '--policy', JSON.stringify(policy), ...extra];
  const env = { ...process.env };
  const dist = join(ROOT, 'dist/bench');
  switch (fw) {
    case 'convkit': {
      env.CONVKIT_NUM_THREADS = String(threads);
      const script = w === 'lenet' || w === 'cifar' ? 'train.js' : `${w}.js`;
      // As the convkit command runs (bin/convkit.js).
      return { cmd: process.execPath, args: [GC_FLAG, join(dist, 'workloads', script), ...common], env };
    }
    case 'torch':
      env.OMP_NUM_THREADS = env.OPENBLAS_NUM_THREADS = env.MKL_NUM_THREADS = String(threads);
      return { cmd: PYTHON, args: [join(ROOT, 'bench/peers/torch_bench.py'), ...common], env };
    case 'tfjs-cpu':
    case 'tfjs-wasm':
      return { cmd: process.execPath, args: [join(dist, 'peers/tfjs_bench.js'), '--backend', fw.slice(5), ...common], env };
    case 'ort': {
      const model = join(ROOT, 'bench/.cache', w === 'sgemm' ? 'matmul.onnx' : 'mobilenet_v2.onnx');
      return { cmd: process.execPath, args: [join(dist, 'peers/ort_bench.js'), '--model', model, ...common], env };
    }
  }
}

function runChild(fw: Framework, w: Workload, threads: number, policy: Policy, timeoutS: number, extra: string[] = []): ChildReport {
  const { cmd, args, env } = childCommand(fw, w, threads, policy, extra);
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: timeoutS * 1000, maxBuffer: 1 << 26, killSignal: 'SIGKILL' });
  const lines = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('{'));
  if (lines.length > 0) {
    try {
      return JSON.parse(lines[lines.length - 1]) as ChildReport;
    } catch { /* reported below */ }
  }
  const why = r.error?.message.includes('ETIMEDOUT') || r.signal === 'SIGKILL' ? `timed out after ${timeoutS} s`
    : `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').filter(Boolean).slice(-3).join(' / ').slice(0, 400)}`;
  return {
    framework: fw, workload: w, threads, info: {}, peakRssMB: 0, error: why,
    results: WORKLOAD_SIZES[w].map((s) => ({ variant: `${w === 'sgemm' ? 'n' : 'b'}${s}`, size: s, metric: 'images/s' as const, status: 'error' as const, note: why })),
  };
}

function describe(rep: ChildReport): string {
  if (rep.error) return `error: ${rep.error}`;
  const parts = rep.results.map((r) => (r.status === 'ok'
    ? `${r.variant} ${formatNumber(r.value as number)} ${r.metric}${r.cold ? ' (cold)' : ''}`
    : `${r.variant} ${r.status}${r.note ? ` (${r.note})` : ''}`));
  return `${parts.join(', ')}; peak ${Math.round(rep.peakRssMB)} MB`;
}

// ---------------------------------------------------------------- aggregation

interface Entry {
  framework: Framework;
  workload: Workload;
  variant: string;
  size: number;
  threads: number;
  metric: VariantResult['metric'];
  status: VariantResult['status'] | 'n/a';
  /** Best pass: the highest throughput, the lowest latency. */
  best?: number;
  passes: number[];
  cold?: boolean;
  /** The figure is the 1-thread one (a single-threaded framework). */
  fromThreads?: number;
  note?: string;
  peakRssMB?: number;
}

function better(metric: VariantResult['metric'], a: number, b: number): boolean {
  return metric === 'ms' ? a < b : a > b;
}

function aggregate(reports: ChildReport[]): Entry[] {
  const m = new Map<string, Entry>();
  for (const rep of reports) {
    for (const r of rep.results) {
      const key = `${rep.framework}|${rep.workload}|${r.variant}|${rep.threads}`;
      let e = m.get(key);
      if (!e) {
        e = { framework: rep.framework as Framework, workload: rep.workload as Workload, variant: r.variant, size: r.size, threads: rep.threads, metric: r.metric, status: r.status, passes: [] };
        m.set(key, e);
      }
      e.peakRssMB = Math.max(e.peakRssMB ?? 0, rep.peakRssMB);
      if (r.status === 'ok' && r.value !== undefined) {
        e.passes.push(r.value);
        e.metric = r.metric;
        if (e.best === undefined || better(r.metric, r.value, e.best)) {
          e.best = r.value;
          e.cold = r.cold;
        }
        e.status = 'ok';
        e.note = undefined;
      } else if (e.status !== 'ok') {
        e.status = r.status;
        e.note = r.note;
      }
    }
  }
  return [...m.values()];
}

// ---------------------------------------------------------------- tables

function rowLabel(w: Workload, size: number, metric: string): string {
  if (w === 'sgemm') return `sgemm n=${size}, GFLOP/s`;
  if (w === 'augment') return `Augment ${size}×${size}×${size === 28 ? 1 : 3} seed 003, img/s`;
  if (w === 'mobilenet') return size === 1 ? `${WORKLOAD_TITLES[w]} b1 latency, ms` : `${WORKLOAD_TITLES[w]} b${size}, img/s`;
  return `${WORKLOAD_TITLES[w]} b${size}, ${metric === 'images/s' ? 'img/s' : metric}`;
}

function resultTable(entries: Entry[], frameworks: Framework[], workloads: Workload[], threads: number[]): { text: string; footnotes: string[] } {
  const find = (fw: Framework, w: Workload, size: number, t: number) =>
    entries.find((e) => e.framework === fw && e.workload === w && e.size === size && e.threads === t);
  const notes = new Map<string, number>();
  const mark = (s: string) => {
    if (!notes.has(s)) notes.set(s, notes.size + 1);
    return `[${notes.get(s)}]`;
  };
  const rows: string[][] = [];
  for (const w of workloads) {
    for (const size of WORKLOAD_SIZES[w]) {
      for (const t of threads) {
        const ours = find('convkit', w, size, t);
        const metric = ours?.metric ?? (w === 'sgemm' ? 'GFLOP/s' : w === 'mobilenet' && size === 1 ? 'ms' : 'images/s');
        const row = [rowLabel(w, size, metric), String(t)];
        for (const fw of frameworks) {
          const e = find(fw, w, size, t);
          if (!e) { row.push('–'); continue; }
          if (e.status !== 'ok' || e.best === undefined) {
            const why = e.status === 'skipped' && e.note?.startsWith('est.')
              ? 'too slow: a step, extrapolated from the smaller size, would exceed the time limit (estimates in latest.json)'
              : e.note ?? e.status;
            row.push(`${e.status} ${mark(`${FRAMEWORK_TITLES[fw]}: ${why}`)}`);
            continue;
          }
          let cell = formatNumber(e.best);
          if (e.cold) cell += ` ${mark('one cold step timed (the framework is too slow to repeat it)')}`;
          if (e.fromThreads) cell += ` ${mark(`${FRAMEWORK_TITLES[fw]} is single-threaded under Node: its 1-thread figure`)}`;
          if (fw !== 'convkit' && ours?.status === 'ok' && ours.best !== undefined) {
            const r = metric === 'ms' ? e.best / ours.best : ours.best / e.best;
            cell += ` (${formatRatio(r)})`;
          }
          row.push(cell);
        }
        rows.push(row);
      }
    }
  }
  const header = ['workload', 'thr', ...frameworks.map((f) => FRAMEWORK_TITLES[f])];
  const text = markdownTable(header, rows);
  return { text, footnotes: [...notes.entries()].map(([s, i]) => `[${i}] ${s}`) };
}

function memoryTable(entries: Entry[], frameworks: Framework[], workloads: Workload[]): string {
  const rows = workloads.map((w) => [WORKLOAD_TITLES[w], ...frameworks.map((fw) => {
    const es = entries.filter((e) => e.framework === fw && e.workload === w && !e.fromThreads && (e.peakRssMB ?? 0) > 0 && e.status !== 'n/a');
    return es.length ? formatNumber(Math.max(...es.map((e) => e.peakRssMB as number))) : '–';
  })]);
  return markdownTable(['peak RSS, MB (largest variant, any thread count)', ...frameworks.map((f) => FRAMEWORK_TITLES[f])], rows);
}

const CONV_PASSES = ['fwd', 'bpi', 'bpf'] as const;

interface ConvRateRow {
  layer: string;
  batch: number;
  threads: number;
  pass: typeof CONV_PASSES[number];
  gflops?: number;
  sgemmGflops?: number;
  sgemmSource?: 'sgemm workload' | 'convrate child';
  fractionOfSgemm?: number;
  meetsTarget?: boolean;
  note?: string;
}

interface ConvLayerInfo {
  name: string;
  inHWC: number[];
  filters: number;
  kernel: number[];
  padding: string;
}

/**
 * The convrate child's figures (best pass) as fractions of convkit's sgemm n=1024 rate at the same
 * thread count: the sgemm workload's figure when it ran, else the one the convrate child measured.
 */
function convRateTable(entries: Entry[], reports: ChildReport[], threads: number[]): { rows: ConvRateRow[]; text: string; footnotes: string[] } {
  const ours = entries.filter((e) => e.framework === 'convkit' && e.workload === 'convrate');
  const layers = new Map<string, ConvLayerInfo>();
  for (const r of reports) {
    if (r.framework !== 'convkit' || r.workload !== 'convrate') continue;
    for (const l of (r.info.layers as ConvLayerInfo[] | undefined) ?? []) layers.set(l.name, l);
  }
  const names: string[] = [];
  for (const e of ours) {
    const m = /^(\w+)\.(fwd|bpi|bpf)\.b\d+$/.exec(e.variant);
    if (m && !names.includes(m[1])) names.push(m[1]);
  }
  const sgemmOf = (t: number): { v: number; source: ConvRateRow['sgemmSource'] } | undefined => {
    const ok = (e: Entry | undefined) => (e && e.status === 'ok' && e.best !== undefined ? e.best : undefined);
    const w = ok(entries.find((e) => e.framework === 'convkit' && e.workload === 'sgemm' && e.size === CONV_TARGET_SGEMM_N && e.threads === t));
    if (w !== undefined) return { v: w, source: 'sgemm workload' };
    const c = ok(ours.find((e) => e.variant === `sgemm.n${CONV_TARGET_SGEMM_N}` && e.threads === t));
    return c !== undefined ? { v: c, source: 'convrate child' } : undefined;
  };
  const notes = new Map<string, number>();
  const mark = (s: string) => {
    if (!notes.has(s)) notes.set(s, notes.size + 1);
    return `[${notes.get(s)}]`;
  };
  const rows: ConvRateRow[] = [];
  const lines: string[][] = [];
  const failedChild = reports.find((r) => r.framework === 'convkit' && r.workload === 'convrate' && r.error);
  if (names.length === 0 && failedChild) lines.push([`error ${mark(`convkit: ${failedChild.error}`)}`, '–', '–', '–', '–', '–', '–']);
  for (const name of names) {
    const l = layers.get(name);
    const label = l ? `${name} ${l.inHWC.join('×')}→${l.filters} ${l.kernel.join('×')} ${l.padding}` : name;
    for (const batch of WORKLOAD_SIZES.convrate) {
      for (const t of threads) {
        const sg = sgemmOf(t);
        const line = [label, String(batch), String(t)];
        for (const pass of CONV_PASSES) {
          const e = ours.find((x) => x.variant === `${name}.${pass}.b${batch}` && x.threads === t);
          const row: ConvRateRow = { layer: name, batch, threads: t, pass };
          if (!e || e.status !== 'ok' || e.best === undefined) {
            row.note = e?.note ?? e?.status ?? 'not measured';
            line.push(e ? `${e.status} ${mark(`convkit: ${row.note}`)}` : '–');
          } else {
            row.gflops = e.best;
            let cell = formatNumber(e.best);
            if (sg) {
              row.sgemmGflops = sg.v;
              row.sgemmSource = sg.source;
              row.fractionOfSgemm = e.best / sg.v;
              row.meetsTarget = row.fractionOfSgemm >= CONV_TARGET;
              cell += ` (${Math.round(100 * row.fractionOfSgemm)}% ${row.meetsTarget ? '✓' : '✗'})`;
            }
            line.push(cell);
          }
          rows.push(row);
        }
        line.push(sg ? formatNumber(sg.v) + (sg.source === 'convrate child' ? ` ${mark('sgemm was not selected: measured inside the convrate child')}` : '') : `– ${mark('no sgemm n=1024 figure at this thread count')}`);
        lines.push(line);
      }
    }
  }
  const header = [`conv (Cin ≥ 32): GFLOP/s (% of sgemm; target ≥ ${Math.round(100 * CONV_TARGET)}%)`, 'batch', 'thr', 'forward', 'backprop input', 'backprop filter', `sgemm n=${CONV_TARGET_SGEMM_N}`];
  const judged = rows.filter((r) => r.meetsTarget !== undefined);
  const footnotes = [
    `Target (the issue): the CIFAR model's large 3×3 convolutions at ≥ ${Math.round(100 * CONV_TARGET)}% of convkit's sgemm n=${CONV_TARGET_SGEMM_N} GFLOP/s at the same thread count, same run;` +
      ` GFLOP/s = 2·N·OH·OW·KH·KW·Cin·Cout / median call (native backend; forward with bias + relu). ✓ meets it, ✗ does not: ${judged.filter((r) => r.meetsTarget).length} of ${judged.length} met.`,
    ...[...notes.entries()].map(([s, i]) => `[${i}] ${s}`),
  ];
  return { rows, text: markdownTable(header, lines), footnotes };
}

/** The issue's target: ImageDataGenerator (seed 003 options, one thread) faster than LeNet-5 training (best figure of this run). */
function augmentVsTraining(entries: Entry[]): string | null {
  const ok = (e: Entry) => e.framework === 'convkit' && e.status === 'ok' && e.best !== undefined && !e.fromThreads;
  const aug = entries.filter((e) => ok(e) && e.workload === 'augment');
  const lenet = entries.filter((e) => ok(e) && e.workload === 'lenet');
  if (aug.length === 0) return null;
  const best = (es: Entry[]) => es.reduce((a, b) => ((b.best as number) > (a.best as number) ? b : a));
  if (lenet.length === 0) return 'Augmentation vs training: LeNet-5 was not measured in this run (add lenet to --only)';
  const l = best(lenet);
  const parts = [...new Set(aug.map((e) => e.size))].map((size) => {
    const a = best(aug.filter((e) => e.size === size));
    const r = (a.best as number) / (l.best as number);
    return `${size}×${size}×${size === 28 ? 1 : 3} ${formatNumber(a.best as number)} img/s = ${formatRatio(r)} ${r > 1 ? '✓' : '✗'}`;
  });
  return `Augmentation (ImageDataGenerator, seed 003 options, main thread) vs convkit's fastest LeNet-5 training (${formatNumber(l.best as number)} img/s, ${l.variant}, ${l.threads} thr; target > 1×): ${parts.join('; ')}`;
}

// ---------------------------------------------------------------- main

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function packageVersion(name: string): string | null {
  try {
    const req = createRequire(join(ROOT, 'package.json'));
    return (JSON.parse(readFileSync(req.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

function main(): void {
  const o = parseOptions(process.argv.slice(2));
  const t0 = Date.now();
  // Other processes on these 2 vCPUs skew every figure: the load average says how busy it was.
  const loadBefore = loadavg()[0];
  process.stderr.write(`bench: ${o.quick ? 'quick' : 'full'} run, ${o.passes} pass(es), workloads ${o.only.join(',')}, threads ${o.threads.join(',')}, peers ${o.peers.join(',') || 'none'}\n`);
  const avail = checkPeers(o.peers);
  const frameworks: Framework[] = ['convkit', ...o.peers];
  const runnable = (fw: Framework) => fw === 'convkit' || avail.get(fw as Peer)?.ok === true;
  const childTimeout = o.quick ? 300 : 900;

  const reports: ChildReport[] = [];
  const dead = new Set<string>();   // framework|workload that had nothing to measure: not repeated
  for (let pass = 0; pass < o.passes; pass++) {
    // Rotate the order each pass so that no framework always runs right after the same neighbour.
    const order = frameworks.filter(runnable);
    const rotated = [...order.slice(pass % order.length), ...order.slice(0, pass % order.length)];
    for (const w of o.only) {
      for (const t of o.threads) {
        for (const fw of rotated) {
          if (notApplicable(fw, w)) continue;
          if (singleThreaded(fw) && t !== o.threads[0]) continue;
          if (fw === 'tfjs-cpu' && pass > 0) continue;
          const key = `${fw}|${w}`;
          if (dead.has(key)) continue;
          const started = Date.now();
          // Without the sgemm workload, the convrate child measures its own sgemm reference.
          const extra = w === 'convrate' && !o.only.includes('sgemm') ? ['--sgemm', String(CONV_TARGET_SGEMM_N)] : [];
          const rep = runChild(fw, w, singleThreaded(fw) ? 1 : t, policyFor(fw, o.quick), childTimeout, extra);
          reports.push(rep);
          if (rep.results.every((r) => r.status === 'unsupported' || r.status === 'error')) dead.add(key);
          process.stderr.write(`[pass ${pass + 1}/${o.passes}] ${fw.padEnd(9)} ${w.padEnd(9)} ${singleThreaded(fw) ? 1 : t} thr: ${describe(rep)} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
        }
      }
    }
  }

  const entries = aggregate(reports);
  // Single-threaded frameworks: show their 1-thread figure on the other thread rows too.
  for (const fw of frameworks.filter(singleThreaded)) {
    for (const e of entries.filter((x) => x.framework === fw && x.threads === 1)) {
      for (const t of o.threads.filter((x) => x !== 1)) entries.push({ ...e, threads: t, fromThreads: 1, passes: [] });
    }
  }
  for (const fw of frameworks) {
    for (const w of o.only) {
      const na = notApplicable(fw, w);
      const skipped = fw !== 'convkit' && !runnable(fw) ? avail.get(fw as Peer)?.note ?? 'not available' : null;
      if ((!na && !skipped) || w === 'convrate') continue;
      for (const size of WORKLOAD_SIZES[w]) {
        for (const t of o.threads) {
          entries.push({ framework: fw, workload: w, variant: `${w === 'sgemm' ? 'n' : 'b'}${size}`, size, threads: t, metric: 'images/s', status: na ? 'n/a' : 'skipped', passes: [], note: na ?? skipped ?? undefined });
        }
      }
    }
  }

  const tableWorkloads = o.only.filter((w) => w !== 'convrate');
  const table = resultTable(entries, frameworks, tableWorkloads, o.threads);
  const convRate = o.only.includes('convrate') ? convRateTable(entries, reports, o.threads) : null;
  const convkitInfo = reports.find((r) => r.framework === 'convkit')?.info ?? {};
  const fallbacks = [...new Set(reports.filter((r) => r.framework === 'convkit').flatMap((r) => (r.info.jsFallbacks as string[] | undefined) ?? []))].sort();
  const durationS = (Date.now() - t0) / 1000;
  const out: string[] = [];
  out.push('');
  out.push(`convkit bench — ${new Date().toISOString()} — ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, Node ${process.versions.node}, convkit backend ${String(convkitInfo.backend ?? '?')}`);
  out.push(`Best of ${o.passes} pass(es)${o.passes > 1 && o.peers.includes('tfjs-cpu') ? ' (tfjs-cpu: one)' : ''}, each the median step. Cells: the figure, then in parentheses convkit's advantage over that peer:`);
  out.push('ours/theirs for throughput (img/s, GFLOP/s), theirs/ours for latency (ms) — above 1× convkit is faster.');
  out.push(`convkit runs in node ${GC_FLAG}, as the convkit command does; PyTorch with OpenBLAS and its thread count set.`);
  if (tableWorkloads.length) {
    out.push('');
    out.push(table.text);
    for (const f of table.footnotes) out.push(f);
    const aug = augmentVsTraining(entries);
    if (aug) out.push(aug);
  }
  if (convRate) {
    out.push('');
    out.push(convRate.text);
    for (const f of convRate.footnotes) out.push(f);
  }
  if (fallbacks.length) out.push(`convkit kernels that fell back to the js backend: ${fallbacks.join(', ')}`);
  out.push('');
  out.push(memoryTable(entries, frameworks, o.only));
  out.push('');
  const loadAfter = loadavg()[0];
  out.push(`${(durationS / 60).toFixed(1)} min; 1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (the bench itself adds about 1–2); results in ${o.out}`);
  process.stdout.write(out.join('\n') + '\n');

  const versions: Record<string, unknown> = {
    node: process.versions.node, convkit: packageVersion('convkit') ?? JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
    tfjs: packageVersion('@tensorflow/tfjs'), 'tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'), 'onnxruntime-node': packageVersion('onnxruntime-node'),
    torch: reports.find((r) => r.framework === 'torch')?.info.version ?? null,
  };
  const json = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? null, cpus: cpus().length, node: process.versions.node, platform: `${process.platform}-${process.arch}`, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
    options: { ...o, out: undefined },
    policies: Object.fromEntries(frameworks.map((f) => [f, policyFor(f, o.quick)])),
    versions,
    convkit: { ...convkitInfo, jsFallbacks: fallbacks },
    peers: Object.fromEntries([...avail.entries()].map(([p, a]) => [p, a])),
    ratioDefinition: 'convkit advantage: ours/theirs for throughput, theirs/ours for latency; > 1 means convkit is faster',
    entries: entries.map((e) => {
      const ours = entries.find((x) => x.framework === 'convkit' && x.workload === e.workload && x.size === e.size && x.threads === e.threads);
      const ratio = e.framework !== 'convkit' && e.best !== undefined && ours?.best !== undefined
        ? (e.metric === 'ms' ? e.best / ours.best : ours.best / e.best) : undefined;
      return { ...e, ...(ratio !== undefined ? { convkitAdvantage: ratio } : {}) };
    }),
    runs: reports,
    table: table.text,
    footnotes: table.footnotes,
    ...(convRate ? {
      convRate: {
        target: CONV_TARGET, sgemmN: CONV_TARGET_SGEMM_N,
        definition: `conv GFLOP/s (2·N·OH·OW·KH·KW·Cin·Cout per call, best pass) / convkit sgemm n=${CONV_TARGET_SGEMM_N} GFLOP/s (best pass) at the same thread count; the target is ≥ ${CONV_TARGET}`,
        rows: convRate.rows, table: convRate.text, footnotes: convRate.footnotes,
      },
    } : {}),
    durationS,
  };
  writeAtomic(o.out, JSON.stringify(json, null, 2) + '\n');
  const convkitFailed = reports.some((r) => r.framework === 'convkit' && r.error);
  process.exitCode = convkitFailed ? 1 : 0;
}

main();
