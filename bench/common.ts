/**
 * What every Node benchmark child shares: argument parsing, the timing policy (warm-up, then timed
 * steps until a time budget), peak memory, and the one JSON line it prints for bench/run.ts.
 * bench/peers/torch_bench.py implements the same policy in Python.
 */
import { readFileSync } from 'node:fs';

/** How long to measure one variant (a batch size or matrix size). Times in seconds. */
export interface Policy {
  /** Warm-up runs at least this many steps and at least warmupBudget seconds (JIT tiers, allocators, caches). */
  warmupSteps: number;
  warmupBudget: number;
  minSteps: number;
  maxSteps: number;
  budget: number;
  /** A first step slower than this is reported on its own (cold) instead of being repeated. */
  coldLimit: number;
  /** Skip a variant whose step, extrapolated from the previous variant, would take longer. */
  skipOver: number;
}

export type Status = 'ok' | 'unsupported' | 'skipped' | 'error';

export interface VariantResult {
  /** 'b32', 'n1024'… */
  variant: string;
  /** Images (or matrices) per step: 32, 1024… */
  size: number;
  metric: 'images/s' | 'ms' | 'GFLOP/s';
  status: Status;
  value?: number;
  medianStepMs?: number;
  steps?: number;
  warmup?: number;
  /** Only one, cold, step was timed (the framework is too slow to repeat it). */
  cold?: boolean;
  note?: string;
}

export interface ChildReport {
  framework: string;
  workload: string;
  threads: number;
  info: Record<string, unknown>;
  results: VariantResult[];
  peakRssMB: number;
  error?: string;
}

export interface ChildArgs {
  workload: string;
  threads: number;
  sizes: number[];
  policy: Policy;
  rest: Map<string, string>;
}

export const DEFAULT_POLICY: Policy = {
  warmupSteps: 2, warmupBudget: 1, minSteps: 3, maxSteps: 2000, budget: 1.5, coldLimit: 60, skipOver: 120,
};

/** `--workload lenet --threads 2 --sizes 32,128 --policy '{…}' [--key value]…` */
export function parseChildArgs(argv: string[] = process.argv.slice(2)): ChildArgs {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) m.set(a.slice(2), 'true');
    else { m.set(a.slice(2), next); i++; }
  }
  const workload = m.get('workload') ?? '';
  const threads = Number(m.get('threads') ?? '1');
  const sizes = (m.get('sizes') ?? '').split(',').filter(Boolean).map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`bad --sizes ${m.get('sizes')}`);
  const policy = { ...DEFAULT_POLICY, ...(m.has('policy') ? JSON.parse(m.get('policy') as string) as Partial<Policy> : {}) };
  return { workload, threads, sizes, policy, rest: m };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

export interface Timing {
  samplesMs: number[];
  medianMs: number;
  warmup: number;
  cold: boolean;
}

/**
 * Warm up (a step count and a time: a millisecond step is still running unoptimised JavaScript after
 * a few calls), then time steps one by one until the policy's budget; the median step is the figure.
 */
export async function measure(step: () => unknown, p: Policy): Promise<Timing> {
  const now = () => performance.now();
  const w0 = now();
  let warmup = 0;
  let lastMs = 0;
  do {
    const t = now();
    await step();
    lastMs = now() - t;
    warmup++;
    if (warmup === 1 && lastMs > p.coldLimit * 1000) return { samplesMs: [lastMs], medianMs: lastMs, warmup: 0, cold: true };
  } while (warmup < p.warmupSteps || now() - w0 < p.warmupBudget * 1000);
  const samples: number[] = [];
  const t0 = now();
  for (;;) {
    const t = now();
    await step();
    samples.push(now() - t);
    const el = (now() - t0) / 1000;
    if (samples.length >= p.maxSteps) break;
    if (el >= p.budget && samples.length >= p.minSteps) break;
    if (el >= 3 * p.budget) break;
  }
  return { samplesMs: samples, medianMs: median(samples), warmup, cold: false };
}

/** The process's peak resident set (VmHWM), in MB. */
export function peakRssMB(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch { /* not Linux */ }
  return process.memoryUsage().rss / (1024 * 1024);
}

/**
 * Run each variant in turn: `run(size)` returns a step function (after its one-time setup) and the
 * figure derives from the median step. A variant whose step, scaled from the previous one, would
 * exceed the policy's skipOver is skipped.
 */
export async function runVariants(
  args: ChildArgs,
  kindOf: (size: number) => Kind,
  setup: (size: number) => Promise<() => unknown> | (() => unknown),
): Promise<VariantResult[]> {
  const out: VariantResult[] = [];
  let prev: { size: number; ms: number } | null = null;
  for (const size of args.sizes) {
    const kind = kindOf(size);
    const variant = `${kind.prefix}${size}`;
    if (prev) {
      const est = prev.ms * kind.scale(size, prev.size) / 1000;
      if (est > args.policy.skipOver) {
        out.push({ variant, size, metric: kind.metric, status: 'skipped', note: `est. ${est.toFixed(0)} s/step, over the ${args.policy.skipOver} s limit` });
        continue;
      }
    }
    try {
      const step = await setup(size);
      const t = await measure(step, args.policy);
      out.push({
        variant, size, metric: kind.metric, status: 'ok', value: kind.figure(size, t.medianMs), medianStepMs: t.medianMs,
        steps: t.samplesMs.length, warmup: t.warmup, ...(t.cold ? { cold: true } : {}),
      });
      prev = { size, ms: t.medianMs };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      out.push({ variant, size, metric: kind.metric, ...classifyError(msg) });
    }
  }
  return out;
}

/** A missing kernel is a limitation of the framework, not a bench failure. */
export function classifyError(msg: string): { status: Status; note: string } {
  const first = msg.split('\n')[0].slice(0, 300);
  const k = /Kernel '([^']+)' not registered for backend '([^']+)'/.exec(msg);
  if (k) return { status: 'unsupported', note: `no ${k[1]} kernel in the ${k[2]} backend` };
  return { status: 'error', note: first };
}

export interface Kind {
  metric: VariantResult['metric'];
  prefix: string;
  /** How a step's time grows from the previous size to this one. */
  scale: (size: number, prevSize: number) => number;
  figure: (size: number, medianMs: number) => number;
}

export const throughput: Kind = { metric: 'images/s', prefix: 'b', scale: (s: number, p: number) => s / p, figure: (s: number, ms: number) => s / (ms / 1000) };
export const latency: Kind = { metric: 'ms', prefix: 'b', scale: (s: number, p: number) => s / p, figure: (_s: number, ms: number) => ms };
export const gemmRate: Kind = { metric: 'GFLOP/s', prefix: 'n', scale: (s: number, p: number) => (s / p) ** 3, figure: (n: number, ms: number) => 2 * n ** 3 / (ms / 1000) / 1e9 };

/** The MobileNetV2 workload reports batch 1 as latency and larger batches as throughput. */
export function mobilenetKind(size: number): Kind {
  return size === 1 ? latency : throughput;
}

export function emit(report: ChildReport): void {
  process.stdout.write('\n' + JSON.stringify(report) + '\n');
}

/** Deterministic pseudo-random fill (the data's values do not matter, only that they are not zeros). */
export function fillRandom(a: Float32Array, seed = 1, lo = 0, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    a[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return a;
}

export function randomLabels(n: number, classes: number, seed = 7): Int32Array {
  const f = fillRandom(new Float32Array(n), seed);
  return Int32Array.from(f, (v) => Math.min(classes - 1, Math.floor(v * classes)));
}
