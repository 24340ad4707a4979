/**
 * `npm run bench:soak`: the soak test (issue 9). Trains LeNet-5 (buildArchitecture('lenet5'), Adam,
 * sparse categorical cross-entropy, accuracy) on the embedded MNIST digits for 20,000 steps through
 * the real model.fit loop (shuffling, callbacks, running metrics, History, validation at every epoch
 * end) and samples the process's memory every 1,000 steps from a callback. Resident memory must stay
 * flat: RSS may grow less than 5% from the baseline (step 1,000) to the end, and its maximum over the
 * run may not exceed the baseline by 5% either. Each backend runs in its own child process, one after
 * the other, so their memory does not mix. Prints a table per backend and writes
 * bench/results/soak-latest.json (atomically); exits 1 when a backend fails the check.
 *
 * Each sample also records the live set after a settled full collection (gc(), then a pause for V8's
 * concurrent ArrayBuffer sweeper, twice): heapUsed is the JS objects still reachable, external the
 * tensor buffers still reachable. RSS growth with a flat live set points at the allocators (glibc
 * keeps freed buffers; its high-water mark is what RSS shows) or at the native addon; growth of the
 * live set points at something in the training loop holding on to objects or tensors.
 *
 *   npm run bench:soak [-- --backend native|js|both] [--steps 20000] [--every 1000] [--batch-size 32]
 *                      [--baseline 1000] [--seed 42] [--v8-defaults] [--out FILE]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileAtomic } from '../src/io/atomic_write.js';
import { markdownTable } from './format.js';

const BACKENDS = ['native', 'js'] as const;
type BackendName = typeof BACKENDS[number];
/** The allowed growth of resident memory, as a fraction of the baseline. */
const LIMIT = 0.05;
/**
 * fit()'s stepsPerEpoch: validation on the held-out digits runs every this many steps. Half the
 * sample interval, so that before the baseline sample (step 1,000) every path of the loop has run:
 * passes end and reshuffle every 250 steps (8,000 digits in batches of 32), epochs end and validate
 * at 500. With epochs of 1,000 steps the baseline fell just before the first validation pass, whose
 * allocations (its evaluation buffers, the last partial batch) then showed up as 1.5–3.6% "growth"
 * between steps 1,000 and 2,000 in every run, followed by nothing.
 */
const STEPS_PER_EPOCH = 500;
/**
 * V8 flags of each backend's child process (none with --v8-defaults). V8 shrinks its young generation
 * after a collection when the program's JS allocation throughput is low (Heap::ReduceNewSpaceSize;
 * below 1 KB/ms in the V8 sources we read, not checked against Node 20's V8) and its memory reducer uncommits the idle semi-space and pooled pages when
 * allocation slows; a burst regrows them. The js backend sits right at that threshold (its steps take
 * 45–200 ms depending on what else runs on this 2-core machine), so with the defaults its RSS swung
 * between 160 and 195 MB in steps that tracked heapTotal (13 ↔ 45 MB) both ways: in two full runs
 * the live set was flat and there was no trend, yet one run ended +0.01% and the other +11.2%. Fixing
 * the young generation at the two 16 MB semi-spaces it reaches anyway (Node 20's maximum on 64-bit)
 * and turning the reducer off removes those swings; it does not hide growth. The native backend's
 * steps are fast (5 ms), its young generation sits at the maximum from the first steps and its RSS is
 * flat with the defaults, so it runs with them: pinning the semi-spaces there changed glibc's free
 * lists for the worse (RSS climbed 35 MB over the first 5,000 steps in two runs, live set unchanged).
 */
const V8_FLAGS: Record<BackendName, string[]> = {
  native: [],
  js: ['--min-semi-space-size=16', '--max-semi-space-size=16', '--no-memory-reducer'],
};

interface Options {
  backends: BackendName[];
  steps: number;
  every: number;
  /**
   * The step whose sample is the baseline. Not step 0: during the first few hundred steps the
   * allocators fill their pools and free lists (glibc malloc arenas, V8's new/old spaces, the
   * native addon's per-thread scratch and the js backend's grown scratch buffers), V8 tiers the hot
   * functions up through its JITs, and the first validation pass allocates its buffers. RSS rises
   * steeply then levels off; a leak is growth after that, so the baseline is taken once it has
   * settled, at step 1,000 (the first sample).
   */
  baseline: number;
  /**
   * 32, the `convkit train` default: small batches mean many steps per sample, which is what a
   * per-step leak needs to show, and keep the js backend's 20,000 steps near a quarter of an hour.
   */
  batchSize: number;
  seed: number;
  /** Run the js child with V8's default heap sizing (no V8_FLAGS). */
  v8Defaults: boolean;
  out: string;
  child: boolean;
}

function root(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bench'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('soak: cannot find the package root');
}
const ROOT = root();

function usage(code: number): never {
  process.stdout.write(`usage: npm run bench:soak -- [--backend native|js|both] [--steps N] [--every N] [--batch-size N]
                             [--baseline STEP] [--seed N] [--v8-defaults] [--out FILE]
  --backend     backend(s) to soak, each in its own child process (default both)
  --steps       training steps (batches) per backend (default 20000)
  --every       memory sample interval in steps (default 1000)
  --batch-size  batch size (default 32, the convkit train default)
  --baseline    the step whose sample is the baseline (default 1000: after warm-up)
  --seed        seed for weights and shuffling (default 42)
  --v8-defaults run the js child with V8's default young-generation sizing and memory reducer
                (its RSS then swings by up to ~30 MB with the machine's load; see V8_FLAGS)
  --out         results file (default bench/results/soak-latest.json)
`);
  process.exit(code);
}

function positiveInt(v: string | undefined, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`soak: ${what} must be a positive integer, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return n;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { backends: [...BACKENDS], steps: 20000, every: 1000, baseline: 1000, batchSize: 32, seed: 42, v8Defaults: false, out: join(ROOT, 'bench/results/soak-latest.json'), child: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--backend') {
      const v = value();
      if (v === 'both') o.backends = [...BACKENDS];
      else if ((BACKENDS as readonly string[]).includes(v ?? '')) o.backends = [v as BackendName];
      else {
        process.stderr.write(`soak: --backend must be native, js or both, got ${JSON.stringify(v)}\n`);
        process.exit(2);
      }
    } else if (flag === '--steps') o.steps = positiveInt(value(), '--steps');
    else if (flag === '--every') o.every = positiveInt(value(), '--every');
    else if (flag === '--batch-size') o.batchSize = positiveInt(value(), '--batch-size');
    else if (flag === '--baseline') o.baseline = positiveInt(value(), '--baseline');
    else if (flag === '--seed') o.seed = positiveInt(value(), '--seed');
    else if (flag === '--out') o.out = resolve(value() ?? usage(2));
    else if (flag === '--v8-defaults') o.v8Defaults = true;
    else if (flag === '--child') o.child = true;
    else if (flag === '--help' || flag === '-h') usage(0);
    else {
      process.stderr.write(`soak: unknown option ${a}\n`);
      usage(2);
    }
  }
  if (o.every > o.steps) o.every = o.steps;
  return o;
}

// ---------------------------------------------------------------- the child: one backend

const MB = 1024 * 1024;

interface Sample {
  step: number;
  /** Seconds since fit() began. */
  seconds: number;
  /** The running mean loss and accuracy of the current epoch. */
  loss: number;
  accuracy: number;
  /** process.memoryUsage() as the loop left it, in MB. */
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  /** RSS split into anonymous memory (heaps, malloc, JIT code) and mapped files (the binary, libraries), from /proc (Linux; else null). */
  rssAnonMB: number | null;
  rssFileMB: number | null;
  /**
   * After a settled full collection (null without --expose-gc): the reachable JS objects (heapUsed)
   * and tensor buffers (external), and RSS then (freed buffers mostly stay in glibc's free lists).
   */
  settledRssMB: number | null;
  liveHeapMB: number | null;
  liveExternalMB: number | null;
}

interface ChildReport {
  backend: string;
  info: Record<string, unknown>;
  steps: number;
  batchSize: number;
  stepsPerEpoch: number;
  epochs: number;
  trainSamples: number;
  validationSamples: number;
  seconds: number;
  gcExposed: boolean;
  execArgv: string[];
  samples: Sample[];
  peakRssMB: number;
  finalValidation: { loss: number; accuracy: number } | null;
}

/** Fields of /proc/self/status in MB (RssAnon, RssFile, VmHWM…), or null off Linux. */
function procStatusMB(...keys: string[]): (number | null)[] {
  let text = '';
  try {
    text = readFileSync('/proc/self/status', 'utf8');
  } catch { /* not Linux */ }
  return keys.map((k) => {
    const m = new RegExp(`^${k}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    return m ? Number(m[1]) / 1024 : null;
  });
}

function vmHwmMB(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch { /* not Linux */ }
  return process.memoryUsage().rss / MB;
}

async function runChild(o: Options): Promise<void> {
  // Imported here so the parent process never loads the library (nor the addon).
  const { getBackend, setRandomSeed, callbacks } = await import('../src/index.js');
  const { buildArchitecture } = await import('../src/applications/seed_models.js');
  const { adam } = await import('../src/optimizers/index.js');
  const { loadMnistForTraining } = await import('../src/cli/data.js');
  const { convkitInfo } = await import('./workloads/convkit_env.js');

  const gc = (globalThis as { gc?: () => void }).gc;
  setRandomSeed(o.seed);
  const backend = getBackend().name;
  const data = loadMnistForTraining();
  const model = buildArchitecture('lenet5');
  model.compile({ optimizer: adam({ learningRate: 0.001 }), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });

  // Epochs of 500 steps, each ending with a validation pass (see STEPS_PER_EPOCH); a sample falls on
  // an epoch's last batch, before that epoch's validation. With another batch size, epochs and passes
  // over the 8,000 digits drift apart and reshuffles happen mid-epoch, as with any stepsPerEpoch.
  const stepsPerEpoch = Math.min(STEPS_PER_EPOCH, o.steps);
  const epochs = Math.ceil(o.steps / stepsPerEpoch);
  const samples: Sample[] = [];
  let step = 0;
  let t0 = 0;
  const cols = ['rss MB', 'anon', 'file', 'heapUsed', 'heapTot', 'external', 'live heap', 'live ext'];
  const header = `${'step'.padStart(6)} ${'s'.padStart(7)} ${'loss'.padStart(7)} ${'acc'.padStart(6)} ${cols.map((c) => c.padStart(9)).join(' ')}`;

  class MemoryProbe extends callbacks.Callback {
    override onTrainBegin(): void {
      t0 = performance.now();
      const flags = process.execArgv.join(' ') || 'none';
      process.stderr.write(`soak[${backend}]: ${o.steps} steps, batch ${o.batchSize}, ${epochs} epochs of ${stepsPerEpoch} steps; node flags: ${flags}\n${header}\n`);
    }

    override async onBatchEnd(_batch: number, logs: Record<string, number> = {}): Promise<void> {
      step += 1;
      if (step % o.every !== 0 && step !== o.steps) return;
      // RSS first, as the training loop left it: the verdict's figure.
      const m = process.memoryUsage();
      const [rssAnonMB, rssFileMB] = procStatusMB('RssAnon', 'RssFile');
      let after: NodeJS.MemoryUsage | null = null;
      if (gc) {
        // gc() returns before V8's ArrayBuffer sweeper has released the dead tensors' buffers (external
        // stays up to 40 MB high right after it); a pause and a second collection settle it.
        gc();
        await sleep(20);
        gc();
        await sleep(20);
        after = process.memoryUsage();
      }
      const s: Sample = {
        step,
        seconds: (performance.now() - t0) / 1000,
        loss: logs.loss ?? NaN,
        accuracy: logs.accuracy ?? NaN,
        rssMB: m.rss / MB,
        heapUsedMB: m.heapUsed / MB,
        heapTotalMB: m.heapTotal / MB,
        externalMB: m.external / MB,
        arrayBuffersMB: m.arrayBuffers / MB,
        rssAnonMB,
        rssFileMB,
        settledRssMB: after ? after.rss / MB : null,
        liveHeapMB: after ? after.heapUsed / MB : null,
        liveExternalMB: after ? after.external / MB : null,
      };
      samples.push(s);
      const f = (v: number | null, w: number, d = 1) => (v === null ? '–' : v.toFixed(d)).padStart(w);
      const vals = [s.rssMB, s.rssAnonMB, s.rssFileMB, s.heapUsedMB, s.heapTotalMB, s.externalMB, s.liveHeapMB, s.liveExternalMB];
      process.stderr.write(`${String(step).padStart(6)} ${f(s.seconds, 7)} ${f(s.loss, 7, 4)} ${f(s.accuracy, 6, 4)} ${vals.map((v, i) => f(v, 9, i === 6 ? 2 : 1)).join(' ')}\n`);
      if (step >= o.steps) model.stopTraining = true;
    }
  }

  const history = await model.fit(data.xTrain, data.yTrain, {
    epochs, stepsPerEpoch, batchSize: o.batchSize, seed: o.seed, verbose: 0,
    validationData: [data.xTest, data.yTest], callbacks: [new MemoryProbe()],
  });
  const seconds = (performance.now() - t0) / 1000;
  const vl = history.val_loss;
  const va = history.val_accuracy;
  const report: ChildReport = {
    backend,
    info: convkitInfo(),
    steps: step,
    batchSize: o.batchSize,
    stepsPerEpoch,
    epochs: history.epoch.length,
    trainSamples: data.xTrain.shape[0],
    validationSamples: data.xTest.shape[0],
    seconds,
    gcExposed: gc !== undefined,
    execArgv: process.execArgv,
    samples,
    peakRssMB: vmHwmMB(),
    finalValidation: vl?.length && va?.length ? { loss: vl[vl.length - 1], accuracy: va[va.length - 1] } : null,
  };
  process.stdout.write('\n' + JSON.stringify(report) + '\n');
}

// ---------------------------------------------------------------- the parent: verdicts

interface Growth {
  baselineStep: number;
  baselineMB: number;
  endMB: number;
  maxMB: number;
  maxStep: number;
  /** (end − baseline) / baseline */
  growth: number;
  /** (max − baseline) / baseline, over the samples from the baseline on */
  maxGrowth: number;
  /** Least-squares slope over the samples from the baseline on, MB per 1,000 steps. */
  slopeMBPer1000: number;
}

function growthOf(samples: Sample[], key: 'rssMB' | 'settledRssMB' | 'liveHeapMB' | 'liveExternalMB', baseline: number): Growth | null {
  const pts = samples.filter((s) => s[key] !== null).map((s) => ({ step: s.step, v: s[key] as number }));
  if (pts.length === 0) return null;
  // The baseline sample: the one at the baseline step, or the first sample after it (or the first).
  const b = pts.find((p) => p.step >= baseline) ?? pts[0];
  const after = pts.filter((p) => p.step >= b.step);
  const end = after[after.length - 1];
  const max = after.reduce((m, p) => (p.v > m.v ? p : m), after[0]);
  const mx = after.reduce((a, p) => a + p.step, 0) / after.length;
  const my = after.reduce((a, p) => a + p.v, 0) / after.length;
  const sxx = after.reduce((a, p) => a + (p.step - mx) ** 2, 0);
  const sxy = after.reduce((a, p) => a + (p.step - mx) * (p.v - my), 0);
  return {
    baselineStep: b.step, baselineMB: b.v, endMB: end.v, maxMB: max.v, maxStep: max.step,
    growth: (end.v - b.v) / b.v, maxGrowth: (max.v - b.v) / b.v, slopeMBPer1000: sxx > 0 ? (sxy / sxx) * 1000 : 0,
  };
}

interface BackendResult {
  backend: BackendName;
  ok: boolean;
  error?: string;
  report?: ChildReport;
  /** The verdict's figure: RSS as the loop left it. */
  rss?: Growth;
  /** For diagnosis: the live set after a settled collection (JS objects, tensor buffers). */
  liveHeap?: Growth | null;
  liveExternal?: Growth | null;
}

function spawnBackend(backend: BackendName, o: Options): BackendResult {
  const script = fileURLToPath(import.meta.url);
  const args = ['--expose-gc', ...(o.v8Defaults ? [] : V8_FLAGS[backend]), script, '--child', '--steps', String(o.steps), '--every', String(o.every),
    '--batch-size', String(o.batchSize), '--baseline', String(o.baseline), '--seed', String(o.seed)];
  const env = { ...process.env, CONVKIT_BACKEND: backend };
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  const line = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) return { backend, ok: false, error: `child exited with ${r.status ?? r.signal}` };
  const report = JSON.parse(line) as ChildReport;
  const rss = growthOf(report.samples, 'rssMB', o.baseline);
  if (!rss) return { backend, ok: false, error: 'no memory samples', report };
  return {
    backend, report, rss,
    ok: rss.growth < LIMIT && rss.maxGrowth < LIMIT,
    liveHeap: growthOf(report.samples, 'liveHeapMB', o.baseline),
    liveExternal: growthOf(report.samples, 'liveExternalMB', o.baseline),
  };
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
const mb = (x: number) => x.toFixed(1);

function sampleTable(r: BackendResult): string {
  const s = r.report?.samples ?? [];
  const base = r.rss?.baselineMB ?? NaN;
  const rows = s.map((x) => [
    String(x.step), x.seconds.toFixed(0), x.loss.toFixed(4), x.accuracy.toFixed(4),
    mb(x.rssMB), Number.isFinite(base) && x.step >= (r.rss?.baselineStep ?? 0) ? pct((x.rssMB - base) / base) : '(warm-up)',
    x.rssAnonMB === null ? '–' : mb(x.rssAnonMB), x.rssFileMB === null ? '–' : mb(x.rssFileMB),
    mb(x.heapUsedMB), mb(x.heapTotalMB), mb(x.externalMB), mb(x.arrayBuffersMB),
    x.liveHeapMB === null ? '–' : x.liveHeapMB.toFixed(2), x.liveExternalMB === null ? '–' : mb(x.liveExternalMB),
  ]);
  return markdownTable(['step', 's', 'loss', 'accuracy', 'RSS MB', 'vs baseline', 'anon MB', 'file MB', 'heapUsed MB', 'heapTotal MB', 'external MB', 'arrayBuffers MB', 'live heap MB', 'live external MB'], rows);
}

function verdictLine(r: BackendResult): string {
  if (!r.rss || !r.report) return `${r.backend}: FAIL (${r.error})`;
  const g = r.rss;
  const rep = r.report;
  const live = (g: Growth | null | undefined, d: number) => (g ? `${g.baselineMB.toFixed(d)} → ${g.endMB.toFixed(d)} MB (${pct(g.growth)})` : '–');
  const gcPart = r.liveHeap || r.liveExternal ? `; live set after a settled gc: JS heap ${live(r.liveHeap, 2)}, tensor buffers ${live(r.liveExternal, 1)}` : '';
  return `${r.backend}: ${r.ok ? 'PASS' : 'FAIL'} — ${rep.steps} steps of batch ${rep.batchSize} in ${rep.seconds.toFixed(0)} s; RSS ${mb(g.baselineMB)} MB at step ${g.baselineStep} → ${mb(g.endMB)} MB at step ${rep.steps} (${pct(g.growth)}), max ${mb(g.maxMB)} MB at step ${g.maxStep} (${pct(g.maxGrowth)}), trend ${g.slopeMBPer1000 >= 0 ? '+' : ''}${g.slopeMBPer1000.toFixed(2)} MB/1000 steps; limit < ${LIMIT * 100}%${gcPart}`;
}

async function runParent(o: Options): Promise<number> {
  const started = new Date();
  const load0 = loadavg()[0];
  process.stderr.write(`soak: LeNet-5 on the embedded MNIST digits, ${o.steps} steps per backend, batch ${o.batchSize}, sample every ${o.every} steps, baseline at step ${o.baseline}; backends: ${o.backends.join(', ')}\n`);
  const results: BackendResult[] = [];
  for (const b of o.backends) results.push(spawnBackend(b, o));
  const load1 = loadavg()[0];

  const lines: string[] = [];
  lines.push(`convkit soak test — ${started.toISOString()} — ${cpus()[0]?.model.trim() ?? 'cpu'} × ${cpus().length}, Node ${process.versions.node}; 1-min load ${load0.toFixed(2)} before, ${load1.toFixed(2)} after`);
  lines.push(`LeNet-5 (Adam 0.001, sparse categorical cross-entropy, accuracy) on the 8,000 embedded MNIST digits through model.fit (shuffled, validation on the 2,000 held-out digits every ${Math.min(STEPS_PER_EPOCH, o.steps)} steps); batch ${o.batchSize}; memory sampled every ${o.every} steps; baseline: the sample at step ${o.baseline} (after warm-up); pass: RSS growth to the end and the run's maximum both < ${LIMIT * 100}% of the baseline. Node flags: ${o.backends.map((b) => `${b}: ${['--expose-gc', ...(o.v8Defaults ? [] : V8_FLAGS[b])].join(' ')}`).join('; ')}.`);
  for (const r of results) {
    lines.push('', `### ${r.backend} backend${r.report ? ` (${r.report.backend}, ${JSON.stringify(r.report.info)})` : ''}`, '');
    if (r.report) lines.push(sampleTable(r));
    lines.push(verdictLine(r));
  }
  const allOk = results.every((r) => r.ok);
  lines.push('', allOk ? 'soak: PASS' : `soak: FAIL (${results.filter((r) => !r.ok).map((r) => r.backend).join(', ')})`);
  process.stdout.write(lines.join('\n') + '\n');

  const json = {
    date: started.toISOString(),
    machine: { cpu: cpus()[0]?.model.trim(), cpus: cpus().length, memGiB: totalmem() / 1024 ** 3, node: process.versions.node, loadavgBefore: load0, loadavgAfter: load1 },
    options: { steps: o.steps, every: o.every, batchSize: o.batchSize, baseline: o.baseline, seed: o.seed, limit: LIMIT, v8Flags: o.v8Defaults ? {} : V8_FLAGS },
    results: results.map((r) => ({
      backend: r.backend, ok: r.ok, error: r.error, rss: r.rss, liveHeap: r.liveHeap, liveExternal: r.liveExternal,
      ...(r.report ?? {}),
    })),
    ok: allOk,
  };
  await writeFileAtomic(o.out, JSON.stringify(json, null, 2) + '\n');
  process.stderr.write(`soak: wrote ${o.out}\n`);
  return allOk ? 0 : 1;
}

const opts = parseOptions(process.argv.slice(2));
if (opts.child) await runChild(opts);
else process.exitCode = await runParent(opts);
