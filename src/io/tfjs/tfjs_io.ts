/**
 * Reading and writing TensorFlow.js layers models: from a directory, a model.json path, a
 * file:// or http(s):// URL, or in-memory artifacts ({modelTopology, weightsManifest or
 * weightSpecs, weightData}) as tfjs's `io.fromMemory` takes them.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError, ValueError } from '../../errors.js';
import type { Model } from '../../models/model.js';
import { writeFileAtomic } from '../atomic_write.js';
import { type CustomObjects, normalizeModelConfig } from '../keras/config_in.js';
import { buildModel } from '../keras/h5_model.js';
import { compileFromKeras } from '../keras/training_config.js';
import { assignStored, matchByName } from '../keras/weights.js';
import { kerasTrainingConfigFromTfjs } from './training_config.js';
import { type ModelJson, type WeightSpec, decodeWeights, tfjsFiles, topologyOf } from './artifacts.js';
import { concatBytes as concat } from '../bytes.js';

/** In-memory model artifacts, as tfjs's ModelArtifacts / io.fromMemory. */
export interface TfjsArtifacts {
  modelTopology: Record<string, unknown>;
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
  weightSpecs?: WeightSpec[];
  weightData?: ArrayBuffer | Uint8Array | (ArrayBuffer | Uint8Array)[];
  trainingConfig?: Record<string, unknown>;
  format?: string;
}

export interface TfjsLoadOptions {
  customObjects?: CustomObjects;
  compile?: boolean;
  /** Per-request timeout for http(s) sources (default 60 s). */
  timeoutMs?: number;
}

const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

function toBytes(x: ArrayBuffer | Uint8Array): Uint8Array {
  return x instanceof Uint8Array ? x : new Uint8Array(x);
}


function parseModelJson(bytes: Uint8Array, source: string): ModelJson {
  if (bytes.length > MAX_MODEL_JSON_BYTES) throw new FormatError(`${source}: model.json is ${bytes.length} bytes, too large to be a model topology`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new FormatError(`${source}: not a TensorFlow.js model.json (invalid JSON: ${(e as Error).message})`);
  }
  if (!json || typeof json !== 'object' || !('modelTopology' in json)) throw new FormatError(`${source}: not a TensorFlow.js model.json (no modelTopology)`);
  return json as ModelJson;
}

function manifestOf(json: ModelJson, source: string): { paths: string[]; specs: WeightSpec[] } {
  const groups = json.weightsManifest ?? [];
  if (!Array.isArray(groups)) throw new FormatError(`${source}: weightsManifest is not a list`);
  const paths: string[] = [];
  const specs: WeightSpec[] = [];
  for (const g of groups) {
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights) || !g.paths.every((p) => typeof p === 'string')) {
      throw new FormatError(`${source}: a weightsManifest group lacks its paths/weights lists`);
    }
    paths.push(...g.paths);
    specs.push(...g.weights);
  }
  return { paths, specs };
}

/** A shard path must stay beside model.json: a manifest is data, not a licence to read any file. */
function shardPath(dir: string, p: string, source: string): string {
  const n = normalize(p);
  if (isAbsolute(n) || n.split(sep).includes('..')) throw new FormatError(`${source}: weight shard path ${JSON.stringify(p)} leaves the model's directory`);
  return join(dir, n);
}

async function fetchBytes(url: string, timeoutMs: number): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new ValueError(`Cannot fetch ${url}: ${cause} (are you offline?)`);
  }
  if (!res.ok) throw new ValueError(`Cannot fetch ${url}: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function readLocal(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValueError(`Cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

interface Loaded {
  json: ModelJson;
  specs: WeightSpec[];
  data: Uint8Array;
  source: string;
}

async function loadFromLocation(location: string, timeoutMs: number): Promise<Loaded> {
  if (/^https?:\/\//i.test(location)) {
    const json = parseModelJson(await fetchBytes(location, timeoutMs), location);
    const { paths, specs } = manifestOf(json, location);
    const shards = await Promise.all(paths.map((p) => fetchBytes(new URL(p, location).href, timeoutMs)));
    return { json, specs, data: concat(shards), source: location };
  }
  let path = /^file:/i.test(location) ? fileURLToPath(location) : location;
  const st = await stat(path).catch(() => null);
  if (st?.isDirectory()) path = join(path, 'model.json');
  const json = parseModelJson(await readLocal(path), path);
  const { paths, specs } = manifestOf(json, path);
  const shards = await Promise.all(paths.map((p) => readLocal(shardPath(dirname(path), p, path))));
  return { json, specs, data: concat(shards), source: path };
}

function loadFromArtifacts(a: TfjsArtifacts): Loaded {
  const source = 'in-memory TensorFlow.js artifacts';
  if (!a || typeof a !== 'object' || !a.modelTopology) throw new FormatError(`${source}: expected {modelTopology, weightSpecs or weightsManifest, weightData}`);
  const json: ModelJson = { format: a.format, modelTopology: a.modelTopology, trainingConfig: a.trainingConfig, weightsManifest: a.weightsManifest };
  const specs = a.weightSpecs ?? manifestOf(json, source).specs;
  const raw = a.weightData === undefined ? [] : Array.isArray(a.weightData) ? a.weightData : [a.weightData];
  return { json, specs, data: concat(raw.map(toBytes)), source };
}

/** Fills `model` from named tfjs weights: by name (exact or as a suffix), else in order as tfjs's converter writes them. */
function assignWeights(model: Model, specs: WeightSpec[], data: Uint8Array, source: string): void {
  const arrays = decodeWeights(specs, data, source);
  const vars = model.weights;
  const names = [...arrays.keys()];
  if (names.length !== vars.length) {
    throw new FormatError(`${source}: the manifest lists ${names.length} weights but the model has ${vars.length} (${vars.map((v) => v.name).join(', ')})`);
  }
  const ordered = matchByName(names, vars) ?? vars;
  ordered.forEach((v, i) => assignStored(v, arrays.get(names[i]!)!, `"${names[i]}"`, source));
}

/** Loads a TensorFlow.js layers model. */
export async function loadTfjsModel(from: string | TfjsArtifacts, opts: TfjsLoadOptions = {}): Promise<Model> {
  const loaded = typeof from === 'string' ? await loadFromLocation(from, opts.timeoutMs ?? 60_000) : loadFromArtifacts(from);
  const { modelConfig, trainingConfig } = topologyOf(loaded.json, loaded.source);
  const config = normalizeModelConfig(modelConfig, loaded.source, opts.customObjects);
  const model = buildModel(config, loaded.source, opts.customObjects);
  assignWeights(model, loaded.specs, loaded.data, loaded.source);
  if (opts.compile !== false) compileFromKeras(model, kerasTrainingConfigFromTfjs(trainingConfig), loaded.source);
  return model;
}

/** Writes model.json and its weight shards into `dir` (created if needed); model.json goes last, so a reader never sees it without its shards. */
export async function saveTfjsModel(model: Model, dir: string): Promise<void> {
  const { modelJson, shards } = tfjsFiles(model);
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of shards) await writeFileAtomic(join(dir, name), bytes);
  await writeFileAtomic(join(dir, 'model.json'), JSON.stringify(modelJson));
}

/** Whether `location` names a tfjs model: a model.json file, a directory holding one, or a URL ending in .json. */
export async function isTfjsLocation(location: string): Promise<boolean> {
  if (/\.json$/i.test(location)) return true;
  if (/^https?:/i.test(location)) return false;
  const path = /^file:/i.test(location) ? fileURLToPath(location) : location;
  const st = await stat(path).catch(() => null);
  return !!st?.isDirectory() && !!(await stat(join(path, 'model.json')).catch(() => null));
}
