/**
 * Fused layer kernels: conv2d / matmul + bias + activation in one backend call, so a Conv2D or Dense
 * layer writes its output once instead of three times (product, bias add, activation). Only
 * activations whose derivative is a function of the output are fused (see FusedActivation), so the
 * backward pass needs nothing but y: dz = dy·act'(y), then the ordinary conv/matmul gradients of dz.
 */
import type { ConvStage, FloatArray, FusedActivation } from '../backend/backend.js';
import { be } from '../backend/registry.js';
import { isRecording, record } from '../autograd/tape.js';
import { ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type Conv2DOptions, convGeometry, convGeometryOf, convOutShape, widenPair } from './conv.js';
import { asFloatsOf, floats, shapeStr, wrap } from './util.js';
import { reshape } from './movement.js';

export const FUSABLE_ACTIVATIONS: readonly FusedActivation[] = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh'];

export function isFusableActivation(name: string): name is FusedActivation {
  return (FUSABLE_ACTIVATIONS as readonly string[]).includes(name);
}

/** dz = dy · act'(z) computed from y = act(z). */
function activationGrad(act: FusedActivation, dy: Tensor, y: Tensor): Float32Array | Float64Array {
  const d = floats(dy);
  if (act === 'linear') return d;
  const yv = floats(y);
  // relu/relu6: y > 0 exactly where z > 0 (and y < 6 where z < 6), so y serves as the argument.
  return be().unaryGrad(act, d, yv, yv) as Float32Array | Float64Array;
}

/** Sum of dz over every axis but the last: the bias gradient. */
function biasGrad(dz: Float32Array | Float64Array, rows: number, channels: number): Tensor {
  return wrap(be().reduce('sum', dz, [rows, channels], [0]), [channels]);
}

function checkBias(bias: Tensor | null, channels: number, who: string): void {
  if (bias && (bias.rank !== 1 || bias.shape[0] !== channels)) {
    throw new ShapeError(`${who}: bias must have shape (${channels},), got ${shapeStr(bias.shape)}`);
  }
}

/**
 * The convolution kernels a fused op runs: ordinary and depthwise share everything else (bias
 * check, type widening, the activation's derivative from y, the bias gradient).
 */
const CONV_KERNELS = {
  conv2d: { forward: 'conv2d', input: 'conv2dBackpropInput', filter: 'conv2dBackpropFilter' },
  depthwiseConv2d: { forward: 'depthwiseConv2d', input: 'depthwiseConv2dBackpropInput', filter: 'depthwiseConv2dBackpropFilter' },
} as const;

/** A residual block's shortcut, added to a fused convolution's output before its activation. */
export interface Residual {
  tensor: Tensor;
  /** The result may take over the shortcut's storage: nothing reads that tensor afterwards (inference only). */
  inPlace?: boolean;
}

/** The residual's values in `like`'s float type, after checking that it has the output's shape. */
function residualValues(residual: Residual, outShape: readonly number[], like: FloatArray, who: string): FloatArray {
  const r = residual.tensor;
  if (r.shape.length !== outShape.length || r.shape.some((d, i) => d !== outShape[i])) {
    throw new ShapeError(`${who}: the residual must have the output's shape ${shapeStr(outShape)}, got ${shapeStr(r.shape)}`);
  }
  if (residual.inPlace && isRecording()) throw new Error(`convkit internal error: ${who}: an in-place residual while gradients are recorded`);
  return asFloatsOf(r.values, like);
}

function fusedConvLike(op: keyof typeof CONV_KERNELS, x: Tensor, filter: Tensor, bias: Tensor | null, activation: FusedActivation,
  opts: Conv2DOptions, residual?: Residual): Tensor {
  const k = CONV_KERNELS[op];
  const info = convGeometry(x, filter, opts, op, op === 'depthwiseConv2d');
  const fusedName = op === 'conv2d' ? 'fusedConv2d' : 'fusedDepthwiseConv2d';
  const who = opts.name ?? fusedName;
  checkBias(bias, info.outChannels, who);
  const outShape = convOutShape(info);
  const [xv, fv] = widenPair(x, filter);
  const bv = bias ? asFloatsOf(floats(bias), xv) : undefined;
  const rv = residual ? residualValues(residual, outShape, xv, who) : undefined;
  const inPlace = residual?.inPlace === true && rv === residual.tensor.values;
  const y = wrap(be()[k.forward](xv, fv, info, { bias: bv, activation, constantFilter: opts.constantFilter, residual: rv, residualInPlace: inPlace }), outShape);
  const inputs = bias ? [x, filter, bias] : [x, filter];
  if (residual) inputs.push(residual.tensor);
  return record(fusedName, y, inputs, (dy) => {
    const dz = activationGrad(activation, dy, y);
    const grads: (Tensor | null)[] = [
      x.requiresGrad ? wrap(be()[k.input](dz, fv, info), x.shape) : null,
      filter.requiresGrad ? wrap(be()[k.filter](xv, dz, info), filter.shape) : null,
    ];
    if (bias) grads.push(bias.requiresGrad ? biasGrad(dz, dz.length / info.outChannels, info.outChannels) : null);
    if (residual) grads.push(residual.tensor.requiresGrad ? wrap(dz, residual.tensor.shape) : null);
    return grads;
  });
}

/** act(conv2d(x, filter) + bias), or act(conv2d(x, filter) + bias + residual). */
export function fusedConv2d(x: Tensor, filter: Tensor, bias: Tensor | null, activation: FusedActivation, opts: Conv2DOptions = {},
  residual?: Residual): Tensor {
  return fusedConvLike('conv2d', x, filter, bias, activation, opts, residual);
}

/** One convolution of a fused block: its filter, bias, activation and options. */
export interface BlockStage {
  filter: Tensor;
  bias: Tensor | null;
  activation: FusedActivation;
  opts: Conv2DOptions;
}

/** An inverted-residual block's closing 1×1 convolution, with the block's shortcut when it has one. */
export interface Projection extends BlockStage {
  residual?: Residual;
}

/**
 * act2(depthwiseConv2d(act1(conv2d(x, pwFilter) + pwBias), dwFilter) + dwBias): an inverted-residual
 * block's 1×1 expansion and its depthwise convolution, for inference; with `projection`, also the
 * block's 1×1 projection of that (plus its shortcut). A backend may compute them in one pass without
 * materialising the expanded activation or the depthwise output; while gradients are recorded (or
 * with float64 data) they run as the differentiable fused ops.
 */
export function fusedPointwiseDepthwise(x: Tensor, pwFilter: Tensor, pwBias: Tensor | null, pwActivation: FusedActivation,
  dwFilter: Tensor, dwBias: Tensor | null, dwActivation: FusedActivation, pwOpts: Conv2DOptions, dwOpts: Conv2DOptions,
  projection?: Projection): Tensor {
  return fusedBlock(x, { filter: pwFilter, bias: pwBias, activation: pwActivation, opts: pwOpts },
    { filter: dwFilter, bias: dwBias, activation: dwActivation, opts: dwOpts }, projection);
}

/** The block without an expansion (MobileNetV2's first): its depthwise convolution, then the projection. */
export function fusedDepthwiseProjection(x: Tensor, depthwise: BlockStage, projection: Projection): Tensor {
  return fusedBlock(x, null, depthwise, projection);
}

function fusedBlock(x: Tensor, pw: BlockStage | null, dw: BlockStage, p?: Projection): Tensor {
  const all32 = [x, pw?.filter ?? null, pw?.bias ?? null, dw.filter, dw.bias, p?.filter ?? null, p?.bias ?? null, p?.residual?.tensor ?? null]
    .every((t) => t === null || t.dtype === 'float32');
  if (isRecording() || !all32) {
    const mid = pw ? fusedConv2d(x, pw.filter, pw.bias, pw.activation, pw.opts) : x;
    const y = fusedDepthwiseConv2d(mid, dw.filter, dw.bias, dw.activation, dw.opts);
    return p ? fusedConv2d(y, p.filter, p.bias, p.activation, p.opts, p.residual) : y;
  }
  const who = (pw ?? dw).opts.name ?? (pw ? 'fusedPointwiseDepthwise' : 'fusedDepthwiseProjection');
  const pwInfo = pw ? convGeometry(x, pw.filter, pw.opts, 'conv2d', false) : null;
  const dwInfo = convGeometryOf(pwInfo ? convOutShape(pwInfo) : x.shape, dw.filter, dw.opts, 'depthwiseConv2d', true);
  if (pw && pwInfo) checkBias(pw.bias, pwInfo.outChannels, who);
  checkBias(dw.bias, dwInfo.outChannels, dw.opts.name ?? who);
  let stage: ConvStage | undefined;
  let outShape = convOutShape(dwInfo);
  if (p) {
    const info = convGeometryOf(outShape, p.filter, p.opts, 'conv2d', false);
    const pWho = p.opts.name ?? who;
    checkBias(p.bias, info.outChannels, pWho);
    outShape = convOutShape(info);
    const residual = p.residual ? residualValues(p.residual, outShape, floats(x), pWho) : undefined;
    stage = { filter: floats(p.filter), info, epilogue: { bias: p.bias ? floats(p.bias) : undefined, activation: p.activation,
      constantFilter: p.opts.constantFilter, residual, residualInPlace: p.residual?.inPlace === true } };
  }
  const pwEpilogue = pw ? { bias: pw.bias ? floats(pw.bias) : undefined, activation: pw.activation, constantFilter: pw.opts.constantFilter } : {};
  const y = be().pointwiseDepthwiseConv2d(floats(x), pw ? floats(pw.filter) : null, pwInfo, pwEpilogue,
    floats(dw.filter), dwInfo, { bias: dw.bias ? floats(dw.bias) : undefined, activation: dw.activation }, stage);
  return wrap(y, outShape);
}

/** act(depthwiseConv2d(x, filter) + bias). */
export function fusedDepthwiseConv2d(x: Tensor, filter: Tensor, bias: Tensor | null, activation: FusedActivation, opts: Conv2DOptions = {}): Tensor {
  return fusedConvLike('depthwiseConv2d', x, filter, bias, activation, opts);
}

/** act(x·kernel + bias) for x of rank ≥ 2 and a 2-D kernel (the Dense layer). */
export function fusedMatMul(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: FusedActivation, name = 'fusedMatMul'): Tensor {
  if (x.rank < 2 || kernel.rank !== 2) throw new ShapeError(`${name}: expected an input of rank ≥ 2 and a 2-D kernel, got ${shapeStr(x.shape)} and ${shapeStr(kernel.shape)}`);
  const k = x.shape[x.rank - 1];
  const [kk, n] = kernel.shape;
  if (k !== kk) throw new ShapeError(`${name}: input has ${k} features (shape ${shapeStr(x.shape)}) but the kernel expects ${kk} (kernel shape ${shapeStr(kernel.shape)})`);
  checkBias(bias, n, name);
  const m = x.size / k;
  let xv = floats(x);
  let wv = floats(kernel);
  let bv = bias ? floats(bias) : undefined;
  if (xv.constructor !== wv.constructor || (bv && bv.constructor !== xv.constructor)) {
    xv = be().cast(xv, 'float64') as Float64Array;
    wv = be().cast(wv, 'float64') as Float64Array;
    if (bv) bv = be().cast(bv, 'float64') as Float64Array;
  }
  const outShape = [...x.shape.slice(0, -1), n];
  const y = wrap(be().matmul(xv, wv, 1, m, k, n, false, false, 1, { bias: bv, activation }), outShape);
  const inputs = bias ? [x, kernel, bias] : [x, kernel];
  const x2 = xv;
  const w2 = wv;
  return record('fusedMatMul', y, inputs, (dy) => {
    const dz = activationGrad(activation, dy, y);
    const grads: (Tensor | null)[] = [
      // dX = dZ·Wᵀ, dW = Xᵀ·dZ with the leading axes folded into the rows.
      x.requiresGrad ? reshape(wrap(be().matmul(dz, w2, 1, m, n, k, false, true, 1), [m, k]), x.shape) : null,
      kernel.requiresGrad ? wrap(be().matmul(x2, dz, 1, k, m, n, true, false, 1), [k, n]) : null,
    ];
    if (bias) grads.push(bias.requiresGrad ? biasGrad(dz, m, n) : null);
    return grads;
  });
}

/**
 * Per-sample −log softmax(logits)[label] for 2-D logits (samples × classes) and integer labels
 * (already range-checked by the loss), in one backend pass that also yields the gradient.
 */
export function sparseSoftmaxCrossEntropy(logits: Tensor, labels: Int32Array): Tensor {
  if (logits.rank !== 2 || labels.length !== logits.shape[0]) {
    throw new ShapeError(`sparseSoftmaxCrossEntropy: expected logits of shape (samples, classes) and one label per sample, got ${shapeStr(logits.shape)} and ${labels.length} labels`);
  }
  const [rows, cols] = logits.shape;
  const { loss, dlogits } = be().sparseSoftmaxCrossEntropy(floats(logits), labels, rows, cols);
  const y = wrap(loss, [rows]);
  return record('sparseSoftmaxCrossEntropy', y, [logits], (dy) => {
    // d loss_r / d logits_rj = dlogits_rj, scaled by the upstream gradient of row r.
    const dyv = floats(dy);
    const g = new (dlogits.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(rows * cols);
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) g[r * cols + j] = dlogits[r * cols + j] * dyv[r];
    return [wrap(g, logits.shape)];
  });
}
