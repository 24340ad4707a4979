/**
 * The optimizer base class, with Keras 3 semantics (keras/src/optimizers/base_optimizer.py):
 *
 * - `applyGradients([[grad, variable], ...])` skips null gradients, then for every remaining pair
 *   clips the gradient (clipnorm / global_clipnorm / clipvalue), applies decoupled weight decay
 *   `w ← w − w·weightDecay·lr` *before* the optimizer's own update, runs the update, and finally
 *   increments `iterations` once for the whole call.
 * - The learning rate is a number, a LearningRateSchedule or a function; the latter two are
 *   evaluated at the current `iterations` (the number of steps already applied, so 0 on the first
 *   step), once per applyGradients call. Keras calls a plain callable with no argument; here it
 *   receives the step, which a zero-argument function simply ignores.
 * - Slot variables (momentum, velocity, …) are created once per variable, the first time the
 *   variable is seen (or by `build`), with the variable's dtype and shape; every step then updates
 *   the variable's and the slots' typed arrays in place, without allocating.
 * - `getWeights()` lists the state in Keras's order (the order of `optimizer.variables`, which
 *   Keras's .keras files store by index): `iteration`, `learning_rate` (only when the learning rate
 *   is a plain number), the slots in the order Keras's `build` creates them, then optimizer-wide
 *   state such as Nadam's `u_product`.
 */
import type { DataArray } from '../backend/backend.js';
import { ShapeError, ValueError } from '../errors.js';
import { Tensor, Variable, type Shape } from '../tensor/tensor.js';
import { allocArray } from '../tensor/dtype.js';
import { checkNumber, NON_NEGATIVE, OptionReader, POSITIVE, UNIT_CLOSED } from './options.js';
import { deserializeSchedule, isLearningRateSchedule, serializeSchedule, type LearningRateSchedule } from './schedules.js';

export {
  ExponentialDecay,
  isLearningRateSchedule,
  serializeSchedule,
  deserializeSchedule,
  type LearningRateSchedule,
  type ExponentialDecayOptions,
} from './schedules.js';

export type FloatData = Float32Array | Float64Array;

/** A fixed rate, a schedule, or a function of the step (the number of steps already applied). */
export type LearningRate = number | LearningRateSchedule | ((step: number) => number);

export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/** `[gradient, variable]`; a null or undefined gradient leaves the variable untouched. */
export type GradientPair = readonly [grad: Tensor | null | undefined, variable: Variable];

/** Options every optimizer accepts (camelCase or Keras snake_case). */
export interface OptimizerOptions {
  learningRate?: LearningRate;
  learning_rate?: LearningRate | Record<string, unknown>;
  /** Decoupled weight decay: `w -= w * weightDecay * lr` before each update. null/undefined = off. */
  weightDecay?: number | null;
  weight_decay?: number | null;
  /** Clip each gradient to this L2 norm. */
  clipnorm?: number | null;
  /** Clip each gradient element to [-clipvalue, clipvalue]. */
  clipvalue?: number | null;
  /** Scale all gradients together so their joint L2 norm is at most this. */
  globalClipnorm?: number | null;
  global_clipnorm?: number | null;
  name?: string;
  /**
   * Accepted so that Keras configs round-trip; only the defaults (no EMA, no loss scaling, no
   * gradient accumulation) are supported and other values throw.
   */
  useEma?: boolean;
  use_ema?: boolean;
  emaMomentum?: number;
  ema_momentum?: number;
  emaOverwriteFrequency?: number | null;
  ema_overwrite_frequency?: number | null;
  lossScaleFactor?: number | null;
  loss_scale_factor?: number | null;
  gradientAccumulationSteps?: number | null;
  gradient_accumulation_steps?: number | null;
}

/** One kind of per-variable state, created with the variable's shape and dtype. */
export interface SlotSpec {
  /** Keras's suffix: `momentum`, `velocity`, `accumulator`, … */
  readonly name: string;
  readonly initialValue: number;
  /**
   * Keras creates this kind in the same `add_optimizer_variables(vars, [...names])` call as the
   * previous kind, which interleaves them per variable (`w1_momentum, w1_velocity, w2_momentum, …`);
   * otherwise every variable's slot of this kind follows the previous kind's as a block.
   */
  readonly interleaved?: boolean;
}

/** Optimizer-wide scalar state (Nadam's `u_product`), created at build after the slots. */
export interface ScalarStateSpec {
  readonly name: string;
  readonly initialValue: number;
}

interface VarState {
  readonly variable: Variable;
  readonly slotVars: Variable[];
  /** The slots' typed arrays, in slotSpecs order (what updateStep receives). */
  readonly slots: FloatData[];
  /** Clipped gradient buffer, allocated once if clipping is on. */
  scratch: Float64Array | null;
  /** Cached result of the weight-decay exclusion rules. */
  decay: boolean | null;
}

function shapeStr(s: Shape): string {
  return `[${s.join(', ')}]`;
}

function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Normalises the first argument of the optimizer constructors and factories. */
export function optionsOf<T extends OptimizerOptions>(arg: T | number | undefined): T | undefined {
  return typeof arg === 'number' ? ({ learningRate: arg } as T) : arg;
}

export abstract class Optimizer {
  readonly name: string;
  readonly clipnorm: number | null;
  readonly clipvalue: number | null;
  readonly globalClipnorm: number | null;

  private lr: LearningRate;
  private wd: number | null;
  private iter = 0;
  private readonly states = new Map<Variable, VarState>();
  private readonly order: VarState[] = [];
  private specs: readonly SlotSpec[] | null = null;
  /** Scalar state variables, created with the first variable's dtype when the first variable is seen. */
  private scalars: Variable[] = [];
  private scalarArrays: FloatData[] = [];
  private excludedVars = new Set<Variable>();
  private excludedPattern: RegExp | null = null;

  /** Keras's class name (`SGD`, `Adam`, `AdamW`, `Nadam`, `Adamax`, `RMSprop`, `Adagrad`, `Adadelta`). */
  abstract get className(): string;

  /**
   * Reads the options shared by every optimizer. Subclasses read their own options from the same
   * reader afterwards and then call `reader.finish()`.
   */
  protected constructor(reader: OptionReader, defaults: { learningRate: number; name: string; weightDecay?: number | null }) {
    this.name = reader.string(['name'], defaults.name);
    this.lr = Optimizer.readLearningRate(reader, defaults.learningRate);
    // An explicit null switches decay off even where Keras's default is on (AdamW rejects that itself).
    const wd = reader.take('weightDecay', 'weight_decay');
    this.wd = wd === undefined ? defaults.weightDecay ?? null : wd === null ? null : checkNumber(reader.owner, 'weightDecay (weight_decay)', wd, NON_NEGATIVE);
    this.clipnorm = reader.optionalNumber(['clipnorm'], POSITIVE);
    this.clipvalue = reader.optionalNumber(['clipvalue'], POSITIVE);
    this.globalClipnorm = reader.optionalNumber(['globalClipnorm', 'global_clipnorm'], POSITIVE);
    const clips = [this.clipnorm, this.clipvalue, this.globalClipnorm].filter((c) => c !== null).length;
    if (clips > 1) {
      throw new ValueError(`${reader.owner}: only one of clipnorm, clipvalue and globalClipnorm can be set; got clipnorm=${this.clipnorm}, clipvalue=${this.clipvalue}, globalClipnorm=${this.globalClipnorm}`);
    }
    if (reader.boolean(['useEma', 'use_ema'], false)) {
      throw new ValueError(`${reader.owner}: useEma (use_ema) is not supported; it must be false`);
    }
    reader.number(['emaMomentum', 'ema_momentum'], 0.99, UNIT_CLOSED);
    for (const keys of [['emaOverwriteFrequency', 'ema_overwrite_frequency'], ['lossScaleFactor', 'loss_scale_factor'], ['gradientAccumulationSteps', 'gradient_accumulation_steps']]) {
      const v = reader.take(...keys);
      if (v !== undefined && v !== null) throw new ValueError(`${reader.owner}: option ${keys[0]} (${keys[1]}) is not supported; it must be null`);
    }
  }

  private static readLearningRate(reader: OptionReader, fallback: number): LearningRate {
    const v = reader.take('learningRate', 'learning_rate');
    if (v === undefined) return fallback;
    return Optimizer.checkLearningRate(reader.owner, v);
  }

  private static checkLearningRate(owner: string, v: unknown): LearningRate {
    if (typeof v === 'number') return checkNumber(owner, 'learningRate (learning_rate)', v, NON_NEGATIVE);
    if (typeof v === 'function') return v as LearningRate;
    if (v !== null && typeof v === 'object' && ('class_name' in v || 'className' in v)) return deserializeSchedule(v);
    throw new ValueError(`${owner}: option learningRate (learning_rate) must be a finite number >= 0, a LearningRateSchedule or a function of the step; got ${String(v)}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Hyperparameters

  /** The configured learning rate (a number, a schedule or a function). */
  get learningRate(): LearningRate {
    return this.lr;
  }

  /**
   * Replaces the learning rate. As in Keras, an optimizer built with a schedule cannot be given a
   * plain number (its rate is not settable); pass another schedule or function instead.
   */
  set learningRate(value: LearningRate) {
    const checked = Optimizer.checkLearningRate(this.className, value);
    if (typeof checked === 'number' && isLearningRateSchedule(this.lr)) {
      throw new ValueError(`${this.className}: this optimizer was created with a LearningRateSchedule, so its learning rate is not settable to a number; create the optimizer with a number learning rate if it must change`);
    }
    this.lr = checked;
  }

  /** The learning rate the next step will use: the schedule or function evaluated at `iterations`. */
  currentLearningRate(): number {
    const lr = this.lr;
    const v = typeof lr === 'number' ? lr : lr(this.iter);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ValueError(`${this.className}: the learning rate at step ${this.iter} must be a finite number >= 0; the ${isLearningRateSchedule(lr) ? 'schedule' : 'learning rate function'} returned ${String(v)}`);
    }
    return v;
  }

  get weightDecay(): number | null {
    return this.wd;
  }

  set weightDecay(value: number | null | undefined) {
    this.wd = value === null || value === undefined ? null : checkNumber(this.className, 'weightDecay (weight_decay)', value, NON_NEGATIVE);
  }

  /**
   * Keras's `exclude_from_weight_decay`: the listed variables, and variables whose name matches
   * any of `varNames` (joined into one regular expression, as Keras does), get no weight decay.
   */
  excludeFromWeightDecay(opts: { variables?: readonly Variable[]; varNames?: readonly string[] }): void {
    this.excludedVars = new Set(opts.variables ?? []);
    this.excludedPattern = opts.varNames && opts.varNames.length > 0 ? new RegExp([...new Set(opts.varNames)].join('|')) : null;
    for (const s of this.order) s.decay = null;
  }

  /** The number of applyGradients calls that updated something. */
  get iterations(): number {
    return this.iter;
  }

  set iterations(n: number) {
    if (!Number.isInteger(n) || n < 0) throw new ValueError(`${this.className}: iterations must be a non-negative integer; got ${n}`);
    this.iter = n;
  }

  // ---------------------------------------------------------------------------------------------
  // Subclass hooks

  /** The slot kinds, in Keras's creation order. Called once, at the first build. */
  protected abstract slotSpecs(): readonly SlotSpec[];

  /**
   * One update of one variable, in place. `grad` is already clipped and has the variable's size;
   * `slots` holds the variable's slot arrays in slotSpecs order; `lr` is this step's learning rate.
   * `this.iterations` is the number of steps before this one.
   */
  protected abstract updateStep(grad: ArrayLike<number>, value: FloatData, slots: readonly FloatData[], lr: number): void;

  /** The optimizer's own config entries (snake_case), appended to the base ones. */
  protected abstract ownConfig(): Record<string, unknown>;

  /** Optimizer-wide scalar state, in Keras's creation order. Called once, at the first build. */
  protected scalarStateSpecs(): readonly ScalarStateSpec[] {
    return [];
  }

  /** The scalar state's one-element arrays, in scalarStateSpecs order (empty before the first build). */
  protected get scalarState(): readonly FloatData[] {
    return this.scalarArrays;
  }

  /**
   * Runs once per applyGradients that updates something, before any variable's updateStep and
   * with `this.iterations` still the number of steps before this one (Keras's
   * `_backend_update_step`, where Nadam advances `u_product`).
   */
  protected beforeUpdates(): void {}

  // ---------------------------------------------------------------------------------------------
  // Variables and slots

  private slotSpecList(): readonly SlotSpec[] {
    if (this.specs === null) this.specs = this.slotSpecs();
    return this.specs;
  }

  private register(variable: Variable): VarState {
    let state = this.states.get(variable);
    if (state) return state;
    if (!(variable instanceof Variable)) {
      throw new ValueError(`${this.className}: applyGradients needs [gradient, Variable] pairs; got ${String(variable)} in the variable position`);
    }
    if (variable.dtype !== 'float32' && variable.dtype !== 'float64') {
      throw new ValueError(`${this.className}: cannot optimise variable '${variable.name}' of dtype ${variable.dtype}; only float32 and float64 variables can be trained`);
    }
    if (this.order.length === 0) {
      // Keras gives the optimizer-wide state the dtype of the first variable it is built with.
      this.scalars = this.scalarStateSpecs().map((spec) => {
        const data = allocArray(variable.dtype, 1) as FloatData;
        data[0] = spec.initialValue;
        return new Variable(data, spec.name, false, []);
      });
      this.scalarArrays = this.scalars.map((v) => v.values as FloatData);
    }
    const base = String(variable.name).replace(/[/:]/g, '_');
    const slotVars: Variable[] = [];
    const slots: FloatData[] = [];
    for (const spec of this.slotSpecList()) {
      const data = allocArray(variable.dtype, variable.size) as FloatData;
      if (spec.initialValue !== 0) data.fill(spec.initialValue);
      const slot = new Variable(data, `${base}_${spec.name}`, false, variable.shape);
      slotVars.push(slot);
      slots.push(slot.values as FloatData);
    }
    state = { variable, slotVars, slots, scratch: null, decay: null };
    this.states.set(variable, state);
    this.order.push(state);
    return state;
  }

  /**
   * Creates the slot variables of these variables now (Keras's `optimizer.build(vars)`), e.g.
   * before `setWeights`. Variables already known are left as they are.
   */
  build(variables: readonly Variable[]): void {
    for (const v of variables) this.register(v);
  }

  /** The variables the optimizer holds state for, in build order. */
  get variables(): Variable[] {
    return this.order.map((s) => s.variable);
  }

  /** A variable's slot (`momentum`, `velocity`, …), or undefined if it has none (yet). */
  getSlot(variable: Variable, slotName: string): Variable | undefined {
    const state = this.states.get(variable);
    if (!state) return undefined;
    const i = this.slotSpecList().findIndex((s) => s.name === slotName);
    return i < 0 ? undefined : state.slotVars[i];
  }

  private useWeightDecay(state: VarState): boolean {
    if (state.decay === null) {
      state.decay = !this.excludedVars.has(state.variable)
        && !(this.excludedPattern !== null && this.excludedPattern.test(state.variable.name));
    }
    return state.decay;
  }

  // ---------------------------------------------------------------------------------------------
  // Applying gradients

  /**
   * Updates each variable from its gradient (in place) and increments `iterations` once. Pairs
   * with a null gradient are skipped; every pair is checked before any variable changes. Returns
   * the new iteration count.
   */
  applyGradients(pairs: Iterable<GradientPair>): number {
    const list = Array.isArray(pairs) ? (pairs as readonly GradientPair[]) : [...pairs];
    if (list.length === 0) return this.iter;
    let withGrad = 0;
    for (let p = 0; p < list.length; p++) {
      const pair = list[p];
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new ValueError(`${this.className}: applyGradients needs [gradient, variable] pairs; entry ${p} is ${String(pair)}`);
      }
      const grad = pair[0];
      const variable = pair[1];
      const state = this.register(variable);
      if (grad === null || grad === undefined) continue;
      if (!(grad instanceof Tensor)) {
        throw new ValueError(`${this.className}: the gradient for variable '${state.variable.name}' must be a Tensor or null; got ${String(grad)}`);
      }
      if (!sameShape(grad.shape, variable.shape)) {
        throw new ShapeError(`${this.className}: the gradient for variable '${variable.name}' has shape ${shapeStr(grad.shape)} but the variable has shape ${shapeStr(variable.shape)}`);
      }
      withGrad++;
    }
    if (withGrad === 0) {
      throw new ValueError(`${this.className}: no gradients provided for any variable (${list.map((p) => `'${p[1].name}'`).join(', ')})`);
    }
    const lr = this.currentLearningRate();
    const globalScale = this.globalClipnorm !== null ? this.globalClipScale(list) : 1;
    const wd = this.wd;
    this.beforeUpdates();
    // Indexing rather than destructuring keeps the step free of iterator allocations.
    for (let p = 0; p < list.length; p++) {
      const grad = list[p][0];
      if (grad === null || grad === undefined) continue;
      const variable = list[p][1];
      const state = this.states.get(variable) as VarState;
      const g = this.processGradient(state, grad.values, globalScale);
      const w = variable.values as FloatData;
      if (wd !== null && this.useWeightDecay(state)) {
        for (let i = 0; i < w.length; i++) w[i] = w[i] - w[i] * wd * lr;
      }
      this.updateStep(g, w, state.slots, lr);
      variable.version++; // updated in place: caches of derived values (folded weights) must refresh
    }
    this.iter++;
    return this.iter;
  }

  /** Keras's `apply(grads, variables)`: the same as applyGradients over zipped lists. */
  apply(grads: readonly (Tensor | null | undefined)[], variables: readonly Variable[]): number {
    if (grads.length !== variables.length) {
      throw new ValueError(`${this.className}: apply got ${grads.length} gradients for ${variables.length} variables`);
    }
    return this.applyGradients(grads.map((g, i) => [g, variables[i]] as const));
  }

  /** Keras's clip_by_global_norm factor: `c * min(1/norm, 1/c)`, NaN if the norm is not finite. */
  private globalClipScale(list: readonly GradientPair[]): number {
    let sq = 0;
    for (let p = 0; p < list.length; p++) {
      const grad = list[p][0];
      if (grad === null || grad === undefined) continue;
      const g = grad.values;
      for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
    }
    const norm = Math.sqrt(sq);
    const c = this.globalClipnorm as number;
    return c * Math.min(1 / norm, 1 / c) + (norm - norm);
  }

  private processGradient(state: VarState, g: DataArray, globalScale: number): ArrayLike<number> {
    const clipnorm = this.clipnorm;
    const clipvalue = this.clipvalue;
    if (clipnorm === null && clipvalue === null && this.globalClipnorm === null) return g;
    const out = state.scratch ?? (state.scratch = new Float64Array(g.length));
    if (clipnorm !== null) {
      let l2sum = 0;
      for (let i = 0; i < g.length; i++) l2sum += g[i] * g[i];
      const l2norm = l2sum > 0 ? Math.sqrt(l2sum) : l2sum;
      const denom = Math.max(l2norm, clipnorm);
      for (let i = 0; i < g.length; i++) out[i] = (g[i] * clipnorm) / denom;
    } else if (clipvalue !== null) {
      for (let i = 0; i < g.length; i++) out[i] = Math.min(Math.max(g[i], -clipvalue), clipvalue);
    } else {
      for (let i = 0; i < g.length; i++) out[i] = g[i] * globalScale;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Config and state

  /** Keras's get_config: snake_case keys, base entries first. */
  getConfig(): Record<string, unknown> {
    const lr = this.lr;
    let learningRate: unknown;
    if (typeof lr === 'number') learningRate = lr;
    else if (isLearningRateSchedule(lr)) learningRate = serializeSchedule(lr);
    else learningRate = { module: 'builtins', class_name: 'function', config: lr.name || 'anonymous', registered_name: 'function' };
    return {
      name: this.name,
      learning_rate: learningRate,
      weight_decay: this.wd,
      clipnorm: this.clipnorm,
      global_clipnorm: this.globalClipnorm,
      clipvalue: this.clipvalue,
      use_ema: false,
      ema_momentum: 0.99,
      ema_overwrite_frequency: null,
      loss_scale_factor: null,
      gradient_accumulation_steps: null,
      ...this.ownConfig(),
    };
  }

  /**
   * The slot and scalar-state variables in Keras's order: slot kinds in blocks (a kind marked
   * `interleaved` joins the previous kind's block); within a block, every variable in build order
   * with each of the block's kinds; then the scalar state.
   */
  private stateVariables(): Variable[] {
    const out: Variable[] = [];
    if (this.order.length === 0) return out;
    const specs = this.slotSpecList();
    for (let start = 0; start < specs.length;) {
      let end = start + 1;
      while (end < specs.length && specs[end].interleaved) end++;
      for (const s of this.order) for (let k = start; k < end; k++) out.push(s.slotVars[k]);
      start = end;
    }
    out.push(...this.scalars);
    return out;
  }

  /**
   * The optimizer state as a flat list, in Keras's variable order: `iteration` (int32 scalar),
   * `learning_rate` (float64 scalar, only when the learning rate is a number), the slots
   * (`<variable>_<slot>`) in Keras's creation order, then scalar state such as Nadam's
   * `u_product`. Tensors are copies.
   */
  getWeights(): NamedTensor[] {
    const out: NamedTensor[] = [{ name: 'iteration', tensor: new Tensor(Int32Array.of(this.iter), []) }];
    if (typeof this.lr === 'number') out.push({ name: 'learning_rate', tensor: new Tensor(Float64Array.of(this.lr), []) });
    for (const v of this.stateVariables()) out.push({ name: v.name, tensor: v.read() });
    return out;
  }

  /**
   * Restores state saved by getWeights (same order; the optimizer must already hold the same
   * variables, e.g. via `build`). Checks counts and shapes before changing anything.
   */
  setWeights(weights: readonly (NamedTensor | Tensor)[]): void {
    const current = this.getWeights();
    if (weights.length !== current.length) {
      throw new ValueError(`${this.className}: setWeights got ${weights.length} weights but this optimizer has ${current.length} (${current.map((w) => w.name).join(', ')})${this.order.length === 0 ? '; call build(variables) first so the slot variables exist' : ''}`);
    }
    const tensors = weights.map((w) => (w instanceof Tensor ? w : w.tensor));
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ValueError(`${this.className}: setWeights entry ${i} is not a tensor`);
      if (!sameShape(t.shape, current[i].tensor.shape)) {
        throw new ShapeError(`${this.className}: weight ${i} ('${current[i].name}') has shape ${shapeStr(current[i].tensor.shape)} but setWeights got shape ${shapeStr(t.shape)}`);
      }
    });
    const iteration = tensors[0].values[0];
    if (!Number.isInteger(iteration) || iteration < 0) throw new ValueError(`${this.className}: setWeights: iteration must be a non-negative integer; got ${iteration}`);
    let next = 1;
    let lr: number | null = null;
    if (typeof this.lr === 'number') lr = checkNumber(this.className, 'learning_rate (in setWeights)', tensors[next++].values[0], NON_NEGATIVE);
    this.iter = iteration;
    if (lr !== null) this.lr = lr;
    for (const v of this.stateVariables()) v.assign(tensors[next++]);
  }
}
