/**
 * The log directory format written by `callbacks.LiveLogger` (`convkit train --logdir`) and read by
 * `convkit dashboard`: the record types and a tolerant reader.
 *
 * A logdir holds many runs side by side; each run is one directory:
 *
 *   <logdir>/<run>/
 *     run.json         {"version":1, "name", "startedAt", "updatedAt" (ISO 8601),
 *                       "status": "running" | "finished" | "interrupted" | "failed",
 *                       "epochs", "stepsPerEpoch", "pid", "completedEpochs", "error"? (when failed),
 *                       "model": {"name", "className", "inputShape": [h, w, c]}, "options": {...}}
 *                      Rewritten atomically at train begin, at every epoch end and at train end.
 *                      "interrupted": model.interrupt() / Ctrl-C (also written on process exit while
 *                      running); "failed": the trainer threw (LiveLogger.close('failed', err)). A run
 *                      left "running" by a killed process keeps a "pid" that no longer exists.
 *                      A resumed fit (BackupAndRestore) sets the status back to "running" and keeps
 *                      "startedAt".
 *     scalars.jsonl    Append-only, one JSON object per line ("\n"-terminated):
 *                       {"kind":"batch", "step": N (global batch count, 1-based), "epoch": E (0-based),
 *                        "batch": B (0-based within the epoch), "time": Date.now(),
 *                        "logs": {"loss", "accuracy", ...}}        running means, as the progress bar
 *                       {"kind":"epoch", "step": N (last step of the epoch), "epoch": E, "time",
 *                        "logs": {"loss", "accuracy", "val_loss", "val_accuracy", ...}}  as History
 *                      JSON has no NaN or Infinity: a non-finite log value is written as null, and the
 *                      reader returns it as NaN. Batch records may be thinned (updateFreq 'epoch' or N:
 *                      every N-th step). The epoch record follows its epoch's last batch record.
 *     model.json       {"summary": {"totalParams", "trainableParams", "nonTrainableParams",
 *                                   "layers": [{"name", "className", "outputShape", "params"}]},
 *                       "graph": {"name", "className", "nodes": [{"id", "name", "className", "outputShape", "params"}],
 *                                 "edges": [[from, to]], "inputs", "outputs"}}   (src/viz/model_graph.ts)
 *                      Written atomically when a fit begins (a subclassed model that is not built
 *                      yet: after its first batch).
 *     model.convkit    The latest weights: model.save() atomically at the start of a fresh run and at
 *                      each epoch end.
 *     snapshots.jsonl  One line per snapshot (at train begin as epoch -1, then every `snapshotFreq`
 *                      epochs): {"epoch", "step",
 *                       "sample": {"shape": [h, w, c], "label"?: n, "data": base64 uint8 0..255 (HWC)},
 *                       "layers": [{"name", "className", "shape": [h, w, c], "min", "max",
 *                                   "data": base64 uint8, values min..max mapped to 0..255, HWC}]}
 *                      The layers are those with a 4-D output (convolutions, pooling…; not inputs,
 *                      not nested models), in the order they ran, each cut to the first
 *                      `snapshotMaxChannels` channels (shape[2] is the kept count); min/max are over
 *                      the kept values (equal when constant: the bytes are then all 0). The sample's
 *                      bytes: values in [0, 1] times 255, values in [0, 255] as they are, other ranges
 *                      min..max → 0..255. No snapshots without a sample (no snapshotSample and no
 *                      validation data); run.json's options.snapshots says whether there are.
 *     filters.jsonl    One line at train begin (epoch -1) and one per epoch end:
 *                      {"epoch", "step", "layer", "shape": [kh, kw, cin, cout],
 *                       "data": base64 float32 little-endian, the kernel in that (HWIO) order}
 *                      for the first convolution layer (the first layer with a 4-D kernel: Conv2D,
 *                      DepthwiseConv2D…; nested models searched in order). None without one.
 *     confusion.json   {"epoch", "labels": [class names or indices], "matrix": [[...]]}
 *                      matrix[true][predicted] counts over at most confusionMaxSamples (default 2000)
 *                      validation samples; rewritten atomically at each epoch end when validation
 *                      data is known. One sigmoid output counts as two classes (p > 0.5 is class 1).
 *
 * Continuing a run (a resumed fit, or initialEpoch > 0) keeps the .jsonl records up to the step it
 * starts from and appends after them; a fit starting at step 0 empties the run's files first. Both
 * may rewrite a .jsonl file shorter (atomically). A reader sees `reset` when the file is shorter than
 * its offset; to be sure not to miss a rewrite that has grown past its offset again, a reader should
 * also start over from byte 0 when run.json's "startedAt" changes (a fresh run) or its status
 * returns to "running" (a resumed one).
 *
 * Reading is tolerant, because the writer may be running (or may have crashed) while we read:
 * missing files give empty results, a malformed line is skipped with one warning per read, a last
 * line without its "\n" is still being written and is left for the next read (`nextByte` stops
 * before it). Nothing here throws on bad file content; only a bad run name (resolveRunDir) throws.
 */
import * as fsp from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

import { ValueError } from '../errors.js';

export const LOGDIR_FORMAT_VERSION = 1;

/** File names inside a run directory. */
export const RUN_FILES = {
  run: 'run.json',
  scalars: 'scalars.jsonl',
  model: 'model.json',
  weights: 'model.convkit',
  snapshots: 'snapshots.jsonl',
  filters: 'filters.jsonl',
  confusion: 'confusion.json',
} as const;

export type RunStatus = 'running' | 'finished' | 'interrupted' | 'failed';
const STATUSES: readonly RunStatus[] = ['running', 'finished', 'interrupted', 'failed'];

export interface RunInfo {
  version: number;
  name: string;
  startedAt: string;
  updatedAt: string;
  status: RunStatus;
  epochs: number;
  stepsPerEpoch: number;
  pid: number;
  model: { name: string; className: string; inputShape: number[] };
  options: Record<string, unknown>;
  /** Epochs finished so far (counting those of the run a resumed fit continues). */
  completedEpochs: number;
  /** With status "failed": what went wrong. */
  error?: string;
}

export type ScalarLogs = Record<string, number>;

export interface BatchRecord {
  kind: 'batch';
  step: number;
  epoch: number;
  batch: number;
  time: number;
  logs: ScalarLogs;
}

export interface EpochRecord {
  kind: 'epoch';
  step: number;
  epoch: number;
  time: number;
  logs: ScalarLogs;
}

export type ScalarRecord = BatchRecord | EpochRecord;

/** An incremental read of a .jsonl file: the complete records after the offset, and where to go on. */
export interface LinesChunk<T> {
  records: T[];
  /** Byte offset to pass as `fromByte` next time: just after the last complete line. */
  nextByte: number;
  /** True when the file had become shorter than `fromByte` (replaced), so it was read from the start. */
  reset: boolean;
}

export interface SnapshotImage {
  shape: [number, number, number];
  label?: number;
  /** base64 of uint8 pixels 0..255, HWC. */
  data: string;
}

export interface SnapshotLayer {
  name: string;
  className: string;
  shape: [number, number, number];
  min: number;
  max: number;
  /** base64 of uint8, the values min..max mapped linearly to 0..255, HWC. */
  data: string;
}

export interface SnapshotRecord {
  epoch: number;
  step: number;
  sample: SnapshotImage;
  layers: SnapshotLayer[];
}

export interface FilterRecord {
  epoch: number;
  step: number;
  layer: string;
  shape: [number, number, number, number];
  /** base64 of float32 little-endian, [kh, kw, cin, cout] order. */
  data: string;
}

export interface ConfusionInfo {
  epoch: number;
  labels: string[];
  /** matrix[trueClass][predictedClass] = count. */
  matrix: number[][];
}

export interface LayerSummaryInfo {
  name: string;
  className: string;
  outputShape: unknown;
  params: number;
}

export interface ModelGraphNodeInfo {
  id: string;
  name: string;
  className: string;
  outputShape: unknown;
  params: number;
}

export interface ModelGraphInfo {
  /** The model's name and class ('Sequential', 'Functional', or a subclass's name), when recorded. */
  name?: string;
  className?: string;
  nodes: ModelGraphNodeInfo[];
  edges: [string, string][];
  inputs: string[];
  outputs: string[];
}

export interface ModelInfo {
  summary: { totalParams: number; trainableParams: number; nonTrainableParams: number; layers: LayerSummaryInfo[] };
  graph: ModelGraphInfo | null;
}

export interface RunEntry {
  name: string;
  dir: string;
  /** run.json, or null while it is missing or unreadable (the directory still has scalars). */
  info: RunInfo | null;
}

/**
 * Receives the reader's warnings: at most one per file read, and the same message at most once
 * per callback (a server polling a broken run.json hears about it once). The default drops them.
 */
export type Warn = (message: string) => void;
const silent: Warn = () => undefined;

const warnedBy = new WeakMap<Warn, Set<string>>();

function warnOnce(warn: Warn, message: string): void {
  let seen = warnedBy.get(warn);
  if (seen === undefined) warnedBy.set(warn, (seen = new Set()));
  if (seen.has(message)) return;
  seen.add(message);
  warn(message);
}

// ---------------------------------------------------------------------------------------------
// Names and paths

/**
 * The directory of run `name` in `logdir`. A run name is one path segment: not empty, not '.' or
 * '..', without '/', '\\' or NUL, not absolute; anything else is refused so that a name taken
 * from a URL cannot reach outside the logdir.
 */
export function resolveRunDir(logdir: string, name: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ValueError(`Run name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  if (name === '.' || name === '..' || /[/\\\0]/.test(name) || isAbsolute(name)) {
    throw new ValueError(`Invalid run name ${JSON.stringify(name)}: expected a single directory name inside the logdir (no '/', '\\\\', '..' or NUL)`);
  }
  return join(resolve(logdir), name);
}

// ---------------------------------------------------------------------------------------------
// Small value checks (the file may hold anything)

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isInteger(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isIntList = (v: unknown, n?: number): v is number[] =>
  Array.isArray(v) && (n === undefined || v.length === n) && v.every((d) => isInt(d) && (d as number) >= 0);

/** Log values: numbers, or null for a non-finite value (read back as NaN). */
function readLogs(v: unknown): ScalarLogs | null {
  if (!isObj(v)) return null;
  const out: ScalarLogs = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'number') out[k] = x;
    else if (x === null) out[k] = NaN;
    else return null;
  }
  return out;
}

function toScalarRecord(v: unknown): ScalarRecord | null {
  if (!isObj(v) || !isInt(v.step) || !isInt(v.epoch) || !isNum(v.time)) return null;
  const logs = readLogs(v.logs);
  if (logs === null) return null;
  if (v.kind === 'batch') {
    if (!isInt(v.batch)) return null;
    return { kind: 'batch', step: v.step, epoch: v.epoch, batch: v.batch, time: v.time, logs };
  }
  if (v.kind === 'epoch') return { kind: 'epoch', step: v.step, epoch: v.epoch, time: v.time, logs };
  return null;
}

function toSnapshotImage(v: unknown): SnapshotImage | null {
  if (!isObj(v) || !isIntList(v.shape, 3) || !isStr(v.data)) return null;
  const out: SnapshotImage = { shape: v.shape as [number, number, number], data: v.data };
  if (isInt(v.label)) out.label = v.label;
  return out;
}

function toSnapshotLayer(v: unknown): SnapshotLayer | null {
  if (!isObj(v) || !isStr(v.name) || !isStr(v.className) || !isIntList(v.shape, 3) || !isStr(v.data)) return null;
  if (!isNum(v.min) || !isNum(v.max)) return null;
  return { name: v.name, className: v.className, shape: v.shape as [number, number, number], min: v.min, max: v.max, data: v.data };
}

function toSnapshotRecord(v: unknown): SnapshotRecord | null {
  if (!isObj(v) || !isInt(v.epoch) || !isInt(v.step) || !Array.isArray(v.layers)) return null;
  const sample = toSnapshotImage(v.sample);
  if (sample === null) return null;
  const layers: SnapshotLayer[] = [];
  for (const l of v.layers) {
    const layer = toSnapshotLayer(l);
    if (layer === null) return null;
    layers.push(layer);
  }
  return { epoch: v.epoch, step: v.step, sample, layers };
}

function toFilterRecord(v: unknown): FilterRecord | null {
  if (!isObj(v) || !isInt(v.epoch) || !isInt(v.step) || !isStr(v.layer) || !isIntList(v.shape, 4) || !isStr(v.data)) return null;
  return { epoch: v.epoch, step: v.step, layer: v.layer, shape: v.shape as [number, number, number, number], data: v.data };
}

function toRunInfo(v: unknown, fallbackName: string): RunInfo | null {
  if (!isObj(v)) return null;
  const model = isObj(v.model) ? v.model : {};
  return {
    version: isInt(v.version) ? v.version : LOGDIR_FORMAT_VERSION,
    name: isStr(v.name) ? v.name : fallbackName,
    startedAt: isStr(v.startedAt) ? v.startedAt : '',
    updatedAt: isStr(v.updatedAt) ? v.updatedAt : (isStr(v.startedAt) ? v.startedAt : ''),
    status: STATUSES.includes(v.status as RunStatus) ? (v.status as RunStatus) : 'running',
    epochs: isInt(v.epochs) ? v.epochs : 0,
    stepsPerEpoch: isInt(v.stepsPerEpoch) ? v.stepsPerEpoch : 0,
    pid: isInt(v.pid) ? v.pid : 0,
    model: {
      name: isStr(model.name) ? model.name : '',
      className: isStr(model.className) ? model.className : '',
      inputShape: isIntList(model.inputShape) ? model.inputShape : [],
    },
    options: isObj(v.options) ? v.options : {},
    completedEpochs: isInt(v.completedEpochs) ? v.completedEpochs : 0,
    ...(isStr(v.error) ? { error: v.error } : {}),
  };
}

function toConfusion(v: unknown): ConfusionInfo | null {
  if (!isObj(v) || !isInt(v.epoch) || !Array.isArray(v.labels) || !Array.isArray(v.matrix)) return null;
  const n = v.labels.length;
  const rows = v.matrix;
  if (rows.length !== n || !rows.every((r) => isIntList(r, n))) return null;
  return { epoch: v.epoch, labels: v.labels.map((l) => String(l)), matrix: rows as number[][] };
}

function toModelInfo(v: unknown): ModelInfo | null {
  if (!isObj(v) || !isObj(v.summary)) return null;
  const s = v.summary;
  const layers: LayerSummaryInfo[] = Array.isArray(s.layers)
    ? s.layers.filter(isObj).map((l) => ({
        name: String(l.name ?? ''),
        className: String(l.className ?? ''),
        outputShape: l.outputShape ?? null,
        params: isNum(l.params) ? l.params : 0,
      }))
    : [];
  const summary = {
    totalParams: isNum(s.totalParams) ? s.totalParams : 0,
    trainableParams: isNum(s.trainableParams) ? s.trainableParams : 0,
    nonTrainableParams: isNum(s.nonTrainableParams) ? s.nonTrainableParams : 0,
    layers,
  };
  return { summary, graph: toGraph(v.graph) };
}

function toGraph(v: unknown): ModelGraphInfo | null {
  if (!isObj(v) || !Array.isArray(v.nodes) || !Array.isArray(v.edges)) return null;
  const nodes = v.nodes.filter(isObj).map((n) => ({
    id: String(n.id ?? n.name ?? ''),
    name: String(n.name ?? ''),
    className: String(n.className ?? ''),
    outputShape: n.outputShape ?? null,
    params: isNum(n.params) ? n.params : 0,
  }));
  const edges = v.edges
    .filter((e): e is unknown[] => Array.isArray(e) && e.length === 2)
    .map((e) => [String(e[0]), String(e[1])] as [string, string]);
  const names = (x: unknown) => (Array.isArray(x) ? x.map((s) => String(s)) : []);
  return {
    ...(isStr(v.name) ? { name: v.name } : {}),
    ...(isStr(v.className) ? { className: v.className } : {}),
    nodes, edges, inputs: names(v.inputs), outputs: names(v.outputs),
  };
}

// ---------------------------------------------------------------------------------------------
// File access

function errCode(err: unknown): string | undefined {
  return isObj(err) && 'code' in err ? String(err.code) : undefined;
}

/** A whole JSON file, or undefined when it is missing, unreadable or not JSON (warned). */
async function readJsonFile(path: string, warn: Warn): Promise<unknown> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    const code = errCode(err);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') warnOnce(warn, `${path}: cannot read (${code ?? (err as Error).message})`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    warnOnce(warn, `${path}: not valid JSON, ignored`);
    return undefined;
  }
}

/**
 * Reads the complete lines of a .jsonl file from `fromByte`, converting each with `convert`
 * (null = malformed). Lines are split on the byte "\n", so offsets are exact whatever the text.
 */
export async function readJsonLines<T>(
  path: string,
  fromByte: number,
  convert: (v: unknown) => T | null,
  warn: Warn = silent,
): Promise<LinesChunk<T>> {
  const start = Number.isSafeInteger(fromByte) && fromByte > 0 ? fromByte : 0;
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(path, 'r');
  } catch (err) {
    const code = errCode(err);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') warnOnce(warn, `${path}: cannot read (${code ?? (err as Error).message})`);
    return { records: [], nextByte: start, reset: false };
  }
  try {
    const size = (await fh.stat()).size;
    const reset = size < start;
    const from = reset ? 0 : start;
    const buf = Buffer.alloc(size - from);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, from + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const records: T[] = [];
    let bad = 0;
    let firstBad = -1;
    let lineStart = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, lineStart);
      if (nl < 0 || nl >= got) break;
      const line = buf.toString('utf8', lineStart, nl).trim();
      if (line.length > 0) {
        let rec: T | null = null;
        try {
          rec = convert(JSON.parse(line));
        } catch {
          rec = null;
        }
        if (rec === null) {
          if (bad === 0) firstBad = from + lineStart;
          bad++;
        } else {
          records.push(rec);
        }
      }
      lineStart = nl + 1;
    }
    if (bad > 0) warnOnce(warn, `${path}: skipped ${bad} malformed line${bad === 1 ? '' : 's'} (the first at byte ${firstBad})`);
    return { records, nextByte: from + lineStart, reset };
  } catch (err) {
    warnOnce(warn, `${path}: cannot read (${errCode(err) ?? (err as Error).message})`);
    return { records: [], nextByte: start, reset: false };
  } finally {
    await fh.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// The reader

/** run.json of a run directory, with defaults for missing fields; null when absent or not an object. */
export async function readRun(dir: string, warn: Warn = silent): Promise<RunInfo | null> {
  const v = await readJsonFile(join(dir, RUN_FILES.run), warn);
  if (v === undefined) return null;
  const info = toRunInfo(v, dir.split(/[/\\]/).filter(Boolean).pop() ?? '');
  if (info === null) warnOnce(warn, `${join(dir, RUN_FILES.run)}: not a JSON object, ignored`);
  return info;
}

/**
 * The runs of a logdir: its subdirectories holding run.json or scalars.jsonl, sorted by name.
 * A missing logdir has no runs. Names that resolveRunDir would refuse are not listed.
 */
export async function listRuns(logdir: string, warn: Warn = silent): Promise<RunEntry[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fsp.readdir(logdir, { withFileTypes: true });
  } catch (err) {
    const code = errCode(err);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') warnOnce(warn, `${logdir}: cannot list (${code ?? (err as Error).message})`);
    return [];
  }
  const runs: RunEntry[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    let dir: string;
    try {
      dir = resolveRunDir(logdir, e.name);
    } catch {
      continue;
    }
    const info = await readRun(dir, warn);
    if (info === null && !(await exists(join(dir, RUN_FILES.scalars)))) continue;
    runs.push({ name: e.name, dir, info });
  }
  return runs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function exists(path: string): Promise<boolean> {
  try {
    await fsp.access(path);
    return true;
  } catch {
    return false;
  }
}

/** Scalar records after byte `fromByte` of scalars.jsonl (see LinesChunk). */
export function readScalars(dir: string, fromByte = 0, warn: Warn = silent): Promise<LinesChunk<ScalarRecord>> {
  return readJsonLines(join(dir, RUN_FILES.scalars), fromByte, toScalarRecord, warn);
}

/** Feature-map snapshots after byte `fromByte` of snapshots.jsonl. */
export function readSnapshots(dir: string, fromByte = 0, warn: Warn = silent): Promise<LinesChunk<SnapshotRecord>> {
  return readJsonLines(join(dir, RUN_FILES.snapshots), fromByte, toSnapshotRecord, warn);
}

/** First-convolution kernels after byte `fromByte` of filters.jsonl. */
export function readFilters(dir: string, fromByte = 0, warn: Warn = silent): Promise<LinesChunk<FilterRecord>> {
  return readJsonLines(join(dir, RUN_FILES.filters), fromByte, toFilterRecord, warn);
}

/** The latest confusion matrix, or null. */
export async function readConfusion(dir: string, warn: Warn = silent): Promise<ConfusionInfo | null> {
  const v = await readJsonFile(join(dir, RUN_FILES.confusion), warn);
  if (v === undefined) return null;
  const c = toConfusion(v);
  if (c === null) warnOnce(warn, `${join(dir, RUN_FILES.confusion)}: not a confusion matrix, ignored`);
  return c;
}

/** model.json (summary and graph), or null. */
export async function readModelInfo(dir: string, warn: Warn = silent): Promise<ModelInfo | null> {
  const v = await readJsonFile(join(dir, RUN_FILES.model), warn);
  if (v === undefined) return null;
  const m = toModelInfo(v);
  if (m === null) warnOnce(warn, `${join(dir, RUN_FILES.model)}: not a model description, ignored`);
  return m;
}

// ---------------------------------------------------------------------------------------------
// Payload decoding (the server may also pass the base64 through unchanged)

/** Bytes of a base64 uint8 payload (snapshot pixels). */
export function decodeUint8(base64: string): Uint8Array {
  const b = Buffer.from(base64, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Values of a base64 float32 little-endian payload (filters). Trailing odd bytes are dropped. */
export function decodeFloat32LE(base64: string): Float32Array {
  const b = Buffer.from(base64, 'base64');
  const n = Math.floor(b.byteLength / 4);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = b.readFloatLE(i * 4);
  return out;
}

/** base64 of float32 little-endian values (the writer's side of decodeFloat32LE). */
export function encodeFloat32LE(values: ArrayLike<number>): string {
  const b = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) b.writeFloatLE(values[i], i * 4);
  return b.toString('base64');
}

/** base64 of uint8 bytes. */
export function encodeUint8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
