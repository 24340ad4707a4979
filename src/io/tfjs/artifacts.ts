/**
 * TensorFlow.js layers models: model.json (`modelTopology` + `weightsManifest`) and binary weight
 * shards, as `tensorflowjs_converter` and tfjs's `model.save()` write them.
 *
 * `modelTopology` is either the Keras config itself ({class_name, config, keras_version, backend},
 * tfjs's own saves) or a Keras h5's root attributes ({model_config, training_config, …}, the
 * converter's output). Weights are float32 or int32, optionally affine-quantized to uint8/uint16
 * or stored as float16, laid out back to back across the shards.
 */
import { FormatError } from '../../errors.js';
import type { Model } from '../../models/model.js';
import { CONVKIT_VERSION } from '../../version.js';
import { keras2ModelConfig } from '../keras/config_out.js';
import { tfjsTrainingConfig } from './training_config.js';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}

export interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: Record<string, unknown>;
  trainingConfig?: Record<string, unknown> | null;
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
}

/** tfjs's converter default: shards of at most 4 MB, which browsers cache well. */
const SHARD_BYTES = 4 * 1024 * 1024;

export interface TfjsFiles {
  modelJson: ModelJson;
  /** Shard file name → bytes. */
  shards: Map<string, Uint8Array>;
}

export function tfjsFiles(model: Model): TfjsFiles {
  const vars = model.weights;
  const specs: WeightSpec[] = vars.map((v) => ({ name: v.name, shape: [...v.shape], dtype: 'float32' }));
  const total = vars.reduce((n, v) => n + v.size * 4, 0);
  const all = new Uint8Array(total);
  let off = 0;
  for (const v of vars) {
    all.set(new Uint8Array(Float32Array.from(v.values).buffer), off);
    off += v.size * 4;
  }
  const count = Math.max(1, Math.ceil(total / SHARD_BYTES));
  const shards = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) shards.set(`group1-shard${i + 1}of${count}.bin`, all.subarray(i * SHARD_BYTES, Math.min(total, (i + 1) * SHARD_BYTES)));
  const training = tfjsTrainingConfig(model);
  const modelJson: ModelJson = {
    format: 'layers-model',
    generatedBy: `convkit ${CONVKIT_VERSION}`,
    convertedBy: null,
    modelTopology: { ...keras2ModelConfig(model), keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    ...(training ? { trainingConfig: training } : {}),
    weightsManifest: [{ paths: [...shards.keys()], weights: specs }],
  };
  return { modelJson, shards };
}

/** The Keras model config and training config inside a model.json, whichever way it was written. */
export function topologyOf(json: ModelJson, source: string): { modelConfig: unknown; trainingConfig: unknown } {
  const topo = json.modelTopology;
  if (!topo || typeof topo !== 'object') throw new FormatError(`${source}: model.json has no modelTopology object`);
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new FormatError(`${source}: model.json is a TensorFlow.js ${json.format}; convkit reads layers models (format "layers-model")`);
  }
  if ('model_config' in topo) return { modelConfig: topo.model_config, trainingConfig: topo.training_config ?? json.trainingConfig };
  return { modelConfig: topo, trainingConfig: json.trainingConfig };
}

function float16ToFloat32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

/** Splits the concatenated weight bytes into named float32 arrays, checking every size. */
export function decodeWeights(specs: WeightSpec[], data: Uint8Array, source: string): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let off = 0;
  for (const spec of specs) {
    if (!spec || typeof spec.name !== 'string' || !Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new FormatError(`${source}: a weightsManifest entry is malformed: ${JSON.stringify(spec).slice(0, 200)}`);
    }
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const stored = spec.quantization?.dtype ?? spec.dtype;
    const width = BYTES[stored];
    if (!width || (spec.dtype !== 'float32' && spec.dtype !== 'int32')) {
      throw new FormatError(`${source}: weight "${spec.name}" has dtype ${spec.dtype}${spec.quantization ? ` quantized as ${stored}` : ''}; convkit reads float32 and int32 weights, optionally quantized to uint8, uint16 or float16`);
    }
    if (off + n * width > data.length) {
      throw new FormatError(`${source}: the weight shards hold ${data.length} bytes but the manifest needs ${off + n * width} by weight "${spec.name}"; a shard is missing or truncated`);
    }
    const values = new Float32Array(n);
    const q = spec.quantization;
    for (let i = 0; i < n; i++) {
      const p = off + i * width;
      switch (stored) {
        case 'float32': values[i] = view.getFloat32(p, true); break;
        case 'int32': values[i] = view.getInt32(p, true); break;
        case 'float16': values[i] = float16ToFloat32(view.getUint16(p, true)); break;
        case 'uint8': values[i] = view.getUint8(p) * (q?.scale ?? 1) + (q?.min ?? 0); break;
        default: values[i] = view.getUint16(p, true) * (q?.scale ?? 1) + (q?.min ?? 0);
      }
    }
    off += n * width;
    out.set(spec.name, { shape: spec.shape, data: values });
  }
  if (off !== data.length) throw new FormatError(`${source}: the weight shards hold ${data.length} bytes but the manifest describes ${off}`);
  return out;
}
