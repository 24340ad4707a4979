/**
 * Inference plans: predict() replays the kernel calls of an earlier pass.
 *
 * A model made of convkit's own layers, run at inference on inputs of one shape with its weights
 * unchanged, calls the same kernels on the same arrays every time; only the input and the outputs
 * differ. The third such predict() runs with the backend recording its kernel calls (the first two
 * build the folded and packed weights); later ones replay the recording with the new input and fresh
 * output arrays swapped in, and skip the JavaScript between the kernels — graph walk, tensors, shape
 * checks, fusion planning: a tenth of a batch-1 MobileNetV2 pass.
 *
 * A replay equals the pass it stands for because:
 * - every layer's inference is kernels on its inputs and weights (PLAIN_LAYERS, built-in activations,
 *   containers whose call() is convkit's): no JavaScript reads an activation;
 * - the backend records only calls into compiled kernels, and refuses a recording during which
 *   anything ran in JavaScript (backend/kernel_tape.ts);
 * - the storage those calls write belongs to the plan alone (claimed from the recycling pool), and
 *   the outputs are fresh arrays each time;
 * - a weight assignment (fit, setWeights, loading) bumps a version and a Sequential add/pop the
 *   structure epoch: either retires the plan.
 * CONVKIT_PLAN=0 (or CONVKIT_FUSION=0) turns plans off.
 */
import { be } from '../backend/registry.js';
import type { Backend } from '../backend/backend.js';
import type { KernelTape } from '../backend/kernel_tape.js';
import { isBuiltinActivation, type Activation } from '../activations/index.js';
import { claimStorage } from '../tensor/recycle.js';
import { fusionActive } from './inference_fusion.js';
import { type Shape, Tensor, type Variable } from '../tensor/tensor.js';
import { type Layer, outputProbeActive } from '../layers/layer.js';
import { ReLU, Softmax } from '../layers/activation_layers.js';
import { Conv1D } from '../layers/conv1d.js';
import { Conv2DTranspose } from '../layers/conv2d_transpose.js';
import { Conv2D, DepthwiseConv2D } from '../layers/convolutional.js';
import { ActivationLayer, Dense, Dropout } from '../layers/core.js';
import { Cropping1D, Cropping2D } from '../layers/cropping.js';
import { InputLayer } from '../layers/input.js';
import { LayerScale } from '../layers/layer_scale.js';
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract } from '../layers/merging.js';
import { BatchNormalization } from '../layers/normalization.js';
import { AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D } from '../layers/pooling.js';
import { Normalization, Rescaling } from '../layers/preprocessing.js';
import { Flatten, Reshape, ZeroPadding2D } from '../layers/reshaping.js';
import { SeparableConv2D } from '../layers/separable_conv2d.js';
import { SpatialDropout2D } from '../layers/spatial_dropout.js';
import { UpSampling2D } from '../layers/upsampling.js';

/**
 * Layer classes whose inference is kernels only (test/models/inference_plan.test.ts replays a model
 * of each with a new input). Random, stochastic and layer-norm layers are left out.
 */
const PLAIN_LAYERS = new Set<unknown>([
  InputLayer, Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D, Dense, ActivationLayer, ReLU, Softmax,
  Dropout, SpatialDropout2D, BatchNormalization, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D,
  GlobalMaxPooling2D, Flatten, Reshape, ZeroPadding2D, Cropping1D, Cropping2D, UpSampling2D, Concatenate, Add,
  Subtract, Multiply, Average, Maximum, Minimum, Rescaling, Normalization, LayerScale,
]);

/** call() methods of containers (functional, Sequential) that only run their layers. */
const CONTAINER_CALLS = new Set<unknown>();

/** Adds a layer class (an application's own layer) whose inference is kernels only. */
export function registerPlainLayer(ctor: abstract new (...args: never[]) => Layer): void {
  PLAIN_LAYERS.add(ctor);
}

/** The layer classes a plan may contain (tests check each is covered). */
export function plainLayerClasses(): unknown[] {
  return [...PLAIN_LAYERS];
}

/** Declares a container's call() (Model's, Sequential's): a model using it is plain when its layers are. */
export function registerContainerCall(call: unknown): void {
  CONTAINER_CALLS.add(call);
}

let structureEpoch = 0;

/** A model's layers changed (Sequential add/pop): every plan is retired. */
export function noteStructureChange(): void {
  structureEpoch++;
}

/** Predict passes on one input shape before the pass that records. */
const RECORD_AT_PASS = 3;
/** Input shapes with a plan (or on their way to one) per model. */
const MAX_SHAPES = 4;
/**
 * A plan keeps the storage its kernels write. Plans pay where the JavaScript between kernels is a
 * visible share of a pass (small batches); a pass writing more than this is left to the executor,
 * whose storage goes back to the shared pool.
 */
export const MAX_PLAN_BYTES = 64 * 1024 * 1024;

interface Plan {
  backend: Backend;
  epoch: number;
  variables: Variable[];
  versions: number[];
  outputShapes: Shape[];
  replay: (arrays: readonly Float32Array[]) => boolean;
  /** The recorded kernel calls (and zero fills), for tests and reports. */
  steps: number;
}

interface Entry {
  passes: number;
  plan: Plan | null;
  /** The structure epoch at which this shape was found unplannable (a new structure may be plannable). */
  refusedAt: number | null;
}

const entries = new WeakMap<object, Map<string, Entry>>();

function plainLayer(l: Layer): boolean {
  if (CONTAINER_CALLS.has(l.call)) return l.subLayers().every(plainLayer);
  if (!PLAIN_LAYERS.has(l.constructor)) return false;
  const act = (l as unknown as { activation?: unknown }).activation;
  return !isActivation(act) || isBuiltinActivation(act);
}

function isActivation(a: unknown): a is Activation {
  return typeof a === 'object' && a !== null && typeof (a as Activation).apply === 'function';
}

function entryFor(model: Layer, key: string): Entry {
  let byShape = entries.get(model);
  if (!byShape) entries.set(model, (byShape = new Map()));
  let e = byShape.get(key);
  if (!e) {
    if (byShape.size >= MAX_SHAPES) byShape.delete(byShape.keys().next().value as string);
    byShape.set(key, (e = { passes: 0, plan: null, refusedAt: null }));
  }
  return e;
}

function current(plan: Plan, backend: Backend): boolean {
  if (plan.backend !== backend || plan.epoch !== structureEpoch) return false;
  const { variables, versions } = plan;
  for (let i = 0; i < variables.length; i++) if (variables[i].version !== versions[i]) return false;
  return true;
}

/** The plan's outputs for x, or null when a kernel answered differently (run the pass instead). */
function replay(plan: Plan, x: Float32Array): Tensor[] | null {
  const outs = plan.outputShapes.map((s) => new Float32Array(s.reduce((n, d) => n * d, 1)));
  if (!plan.replay([x, ...outs])) return null;
  return outs.map((a, i) => new Tensor(a, plan.outputShapes[i]));
}

/** A plan from the tape of a pass of `model` on x that returned `outs`, or null when it cannot be replayed. */
function planFrom(tape: KernelTape, model: Layer, x: Float32Array, outs: Tensor[], backend: Backend): Plan | null {
  const outArrays = outs.map((t) => t.values);
  const owned = (a: unknown): a is Float32Array => a instanceof Float32Array && tape.allocated.has(a);
  if (!outArrays.every(owned) || new Set(outArrays).size !== outArrays.length || tape.allocated.has(x)) return null;
  let bytes = 0;
  for (const a of tape.allocated) bytes += a.byteLength;
  if (bytes > MAX_PLAN_BYTES) return null;
  for (const a of tape.allocated) if (!outArrays.includes(a)) claimStorage(a);
  const variables = model.weights;
  return {
    backend, epoch: structureEpoch, variables, versions: variables.map((v) => v.version),
    outputShapes: outs.map((t) => t.shape), replay: tape.compile([x, ...outArrays]), steps: tape.length,
  };
}

/**
 * `model`'s outputs for x at inference: `run()` (the normal pass), or the replay of a recorded one.
 * The caller runs this without gradient recording.
 */
export function inferWithPlan(model: Layer, x: Tensor, run: () => Tensor[]): Tensor[] {
  const backend = be();
  const recorder = backend.recording;
  const xv = x.values;
  if (!recorder || !(xv instanceof Float32Array) || recorder.active || outputProbeActive() ||
    process.env.CONVKIT_PLAN === '0' || !fusionActive(false)) {
    return run();
  }
  const e = entryFor(model, `${backend.name}:${x.shape.join(',')}`);
  if (e.plan) {
    if (current(e.plan, backend)) {
      let outs: Tensor[] | null = null;
      try {
        outs = replay(e.plan, xv);
      } catch {
        // The kernels validate their arguments: a replay that throws goes back to the normal pass,
        // which reports the problem in its own terms.
      }
      if (outs) return outs;
    }
    e.plan = null;
    e.passes = 0;
  }
  if (e.refusedAt === structureEpoch) return run();
  e.refusedAt = null;
  if (++e.passes < RECORD_AT_PASS) return run();
  if (!plainLayer(model) || !recorder.start()) {
    e.refusedAt = structureEpoch;
    return run();
  }
  let tape: KernelTape | null = null;
  let outs: Tensor[];
  try {
    outs = run();
  } finally {
    tape = recorder.stop();
  }
  e.plan = tape ? planFrom(tape, model, xv, outs, backend) : null;
  if (!e.plan) e.refusedAt = structureEpoch;
  return outs;
}

/** The number of kernel calls `model`'s plan for inputs of `shape` replays, or null without a plan (tests). */
export function planSteps(model: Layer, shape: Shape): number | null {
  const e = entries.get(model)?.get(`${be().name}:${shape.join(',')}`);
  return e?.plan ? e.plan.steps : null;
}
