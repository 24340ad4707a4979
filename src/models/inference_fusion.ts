/**
 * Inference-time fusion of Conv2D/DepthwiseConv2D → BatchNormalization (→ ReLU / ReLU(6) / a fusable
 * Activation) into one convolution with folded weights and the activation in its epilogue — the
 * block every modern CNN (MobileNet, ResNet, EfficientNet) repeats. Applies only when nothing is
 * recorded and training is off, so training and gradients always see the layers as written. The
 * intermediate tensors must have no other consumer and not be model outputs. A ZeroPadding2D right
 * before a 'valid' convolution of such a chain joins it as the conv's explicit padding, so the padded
 * copy of the activation is never materialised (MobileNet pads before every stride-2 depthwise conv).
 */
import type { FusedActivation } from '../backend/backend.js';
import { isRecording } from '../autograd/tape.js';
import { fusedActivationOf } from '../activations/index.js';
import { BaseConv2D, Conv2D, DepthwiseConv2D } from '../layers/convolutional.js';
import { BatchNormalization } from '../layers/normalization.js';
import { ReLU } from '../layers/activation_layers.js';
import { ActivationLayer } from '../layers/core.js';
import { ZeroPadding2D } from '../layers/reshaping.js';
import { Add } from '../layers/merging.js';
import type { Layer } from '../layers/layer.js';
import type { GraphNode, SymbolicTensor } from '../layers/symbolic.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ops from '../ops/index.js';

export interface FoldedChain {
  conv: BaseConv2D;
  bn: BatchNormalization;
  activation: FusedActivation;
  /** Explicit [[top, bottom], [left, right]] padding of a ZeroPadding2D folded in front of the conv. */
  pad?: [[number, number], [number, number]];
  /** Number of layers the chain replaces: conv+BN, + the activation, + the leading ZeroPadding2D (+ `then`'s). */
  length: number;
  /** In a Sequential plan: the depthwise chain that reads this one's result and runs with it (applyChains). */
  then?: FoldedChain;
}

/** Fusion is allowed now: inference, nothing recorded, and not switched off by CONVKIT_FUSION=0. */
export function fusionActive(training: boolean): boolean {
  return !training && !isRecording() && process.env.CONVKIT_FUSION !== '0';
}

function activationOfLayer(l: Layer): FusedActivation | null {
  if (l instanceof ReLU) {
    if (l.negativeSlope !== 0 || l.threshold !== 0) return null;
    if (l.maxValue === null) return 'relu';
    return l.maxValue === 6 ? 'relu6' : null;
  }
  if (l instanceof ActivationLayer) return fusedActivationOf(l.activation);
  return null;
}

function foldable(conv: Layer, bn: Layer): boolean {
  return conv instanceof BaseConv2D && conv.foldable && fusedActivationOf(conv.activation) === 'linear' && bn instanceof BatchNormalization;
}

/** A ZeroPadding2D that can become the explicit padding of `conv` (which must pad nothing itself). */
function padFoldable(pad: Layer, conv: BaseConv2D): pad is ZeroPadding2D {
  return pad instanceof ZeroPadding2D && conv.padding === 'valid';
}

function withPad(chain: FoldedChain, pad: ZeroPadding2D): FoldedChain {
  const [[t, b], [l, r]] = pad.padding;
  return { ...chain, pad: [[t, b], [l, r]], length: chain.length + 1 };
}

/**
 * Whether chain `b` (a 3×3 depthwise convolution) reading chain `a`'s result (a 1×1 convolution)
 * can run with it as one fusedPointwiseDepthwise: the expand → depthwise pair of an inverted-residual
 * block, whose expanded activation then never has to be written out.
 */
function pairable(a: FoldedChain, b: FoldedChain): boolean {
  return pointwise(a) && blockDepthwise(b);
}

/** A stride-1 unpadded 1×1 Conv2D chain: an inverted-residual block's expansion or projection. */
function pointwise(c: FoldedChain): boolean {
  const conv = c.conv;
  return conv instanceof Conv2D && conv.groups === 1 && !c.pad && conv.kernelSize[0] === 1 && conv.kernelSize[1] === 1 &&
    conv.strides[0] === 1 && conv.strides[1] === 1;
}

/** The 3×3 depthwise chain of an inverted-residual block (what the one-pass kernel computes). */
function blockDepthwise(c: FoldedChain): boolean {
  const dw = c.conv;
  return dw instanceof DepthwiseConv2D && dw.depthMultiplier === 1 && dw.kernelSize[0] === 3 && dw.kernelSize[1] === 3 &&
    dw.dilationRate[0] === 1 && dw.dilationRate[1] === 1 && dw.strides[0] === dw.strides[1] && dw.strides[0] <= 2;
}

/**
 * Runs a chain, or a pairable chain and the depthwise chain that reads it (`then`) in one op; with
 * `residual`, the chain's result plus the residual goes through the chain's activation.
 */
export function applyChains(x: Tensor, chain: FoldedChain, then?: FoldedChain, residual?: ops.Residual, proj?: FoldedChain): Tensor {
  if (!then && !proj) return chain.conv.applyFolded(x, chain.bn, chain.activation, chain.pad, residual);
  // The depthwise chain is `then`, or without an expansion the chain itself.
  const pw = then ? chain.conv.prepareFolded(x.shape, chain.bn, chain.pad) : null;
  const dwChain = then ?? chain;
  const mid = pw ? [x.shape[0], x.shape[1], x.shape[2], pw.kernel.shape[3]] : x.shape;
  const dw = dwChain.conv.prepareFolded(mid, dwChain.bn, dwChain.pad);
  let projection: ops.Projection | undefined;
  if (proj) {
    const pad = dwChain.pad;
    const seen = pad ? [mid[0], mid[1] + pad[0][0] + pad[0][1], mid[2] + pad[1][0] + pad[1][1], mid[3]] : mid;
    const p = proj.conv.prepareFolded(dwChain.conv.computeOutputShape(seen) as number[], proj.bn, proj.pad);
    projection = { filter: p.kernel, bias: p.bias, activation: proj.activation, opts: p.opts, residual };
  }
  const depthwise = { filter: dw.kernel, bias: dw.bias, activation: dwChain.activation, opts: dw.opts };
  if (!pw) return ops.fusedDepthwiseProjection(x, depthwise, projection as ops.Projection);
  return ops.fusedPointwiseDepthwise(x, pw.kernel, pw.bias, chain.activation, dw.kernel, dw.bias, dwChain.activation, pw.opts, dw.opts, projection);
}

/** For a Sequential stack: the chain starting at each index, or null. */
export function planStack(stack: readonly Layer[]): (FoldedChain | null)[] {
  const chains = stack.map((l, i): FoldedChain | null => {
    const bn = stack[i + 1];
    if (!bn || !foldable(l, bn)) return null;
    const next = stack[i + 2];
    const act = next ? activationOfLayer(next) : null;
    return { conv: l as BaseConv2D, bn: bn as BatchNormalization, activation: act ?? 'linear', length: act ? 3 : 2 };
  });
  const withPads = chains.map((c, i) => {
    const next = chains[i + 1];
    if (next && padFoldable(stack[i], next.conv)) return withPad(next, stack[i]);
    // A conv whose padding layer was folded into the previous entry is reached through it only.
    return c;
  });
  // A 1×1 chain directly followed by a pairable depthwise chain carries it as `then`.
  return withPads.map((c, i) => {
    const next = c ? withPads[i + c.length] : null;
    return c && next && pairable(c, next) ? { ...c, then: next, length: c.length + next.length } : c;
  });
}

export interface GraphPlan {
  /**
   * Conv node → its chain and the symbolic tensor the chain's result stands for; with `then`, the
   * depthwise chain reading that result runs with it, and `result` is the depthwise chain's; with
   * `proj` too, the block's 1×1 projection (and its residual join) follows, and `result` is its.
   */
  starts: Map<GraphNode, { chain: FoldedChain; result: SymbolicTensor; then?: FoldedChain; proj?: FoldedChain; residual?: SymbolicTensor }>;
  /** Nodes computed as part of a chain (skipped when executing). */
  absorbed: Set<GraphNode>;
}

/** For a functional graph: chains whose intermediate tensors have exactly one consumer and are not outputs. */
export function planGraph(nodes: readonly GraphNode[], outputs: readonly SymbolicTensor[]): GraphPlan {
  const consumers = new Map<SymbolicTensor, GraphNode[]>();
  for (const n of nodes) for (const t of n.inputs) consumers.set(t, [...(consumers.get(t) ?? []), n]);
  const isOutput = new Set(outputs);
  const soleConsumer = (t: SymbolicTensor): GraphNode | null => {
    const c = consumers.get(t);
    return c && c.length === 1 && !isOutput.has(t) ? c[0] : null;
  };
  const plan: GraphPlan = { starts: new Map(), absorbed: new Set() };
  for (const n of nodes) {
    if (plan.absorbed.has(n) || n.outputs.length !== 1 || n.inputs.length !== 1) continue;
    const bnNode = soleConsumer(n.outputs[0]);
    if (!bnNode || bnNode.inputs.length !== 1 || !foldable(n.layer, bnNode.layer)) continue;
    const actNode = soleConsumer(bnNode.outputs[0]);
    const act = actNode && actNode.inputs.length === 1 ? activationOfLayer(actNode.layer) : null;
    const chain: FoldedChain = { conv: n.layer as BaseConv2D, bn: bnNode.layer as BatchNormalization, activation: act ?? 'linear', length: act ? 3 : 2 };
    plan.starts.set(n, { chain, result: act && actNode ? actNode.outputs[0] : bnNode.outputs[0] });
    plan.absorbed.add(bnNode);
    if (act && actNode) plan.absorbed.add(actNode);
  }
  // Chains whose conv reads a ZeroPadding2D output that nothing else reads start at the pad node
  // instead (it precedes the conv in execution order and has the same single input).
  for (const [convNode, start] of [...plan.starts]) {
    const padNode = convNode.inputs[0].node;
    if (padNode.inputs.length !== 1 || padNode.outputs.length !== 1 || plan.absorbed.has(padNode) ||
      plan.starts.has(padNode) || soleConsumer(padNode.outputs[0]) !== convNode ||
      !padFoldable(padNode.layer, start.chain.conv)) continue;
    plan.starts.delete(convNode);
    plan.absorbed.add(convNode);
    plan.starts.set(padNode, { chain: withPad(start.chain, padNode.layer), result: start.result });
  }
  // A 1×1 chain whose result only a pairable depthwise chain reads takes that chain along.
  for (const [node, start] of [...plan.starts]) {
    if (!plan.starts.has(node)) continue;
    const reader = soleConsumer(start.result);
    const next = reader ? plan.starts.get(reader) : undefined;
    if (!reader || !next || next.then || start.then || !pairable(start.chain, next.chain)) continue;
    plan.starts.delete(reader);
    plan.absorbed.add(reader);
    plan.starts.set(node, { chain: start.chain, result: next.result, then: next.chain });
  }
  planResiduals(nodes, plan, soleConsumer);
  planProjections(nodes, plan, soleConsumer);
  return plan;
}

/**
 * An expand → depthwise pair, or a block's depthwise chain without an expansion, whose result only a
 * projection chain reads takes it along, with the projection's residual join when its shortcut is
 * computed before the block starts (the block's input).
 */
function planProjections(nodes: readonly GraphNode[], plan: GraphPlan, soleConsumer: (t: SymbolicTensor) => GraphNode | null): void {
  const order = new Map(nodes.map((n, i) => [n, i]));
  for (const [node, start] of [...plan.starts]) {
    if (start.proj || !(start.then || blockDepthwise(start.chain))) continue;
    const reader = soleConsumer(start.result);
    const next = reader ? plan.starts.get(reader) : undefined;
    if (!reader || !next || next.then || !pointwise(next.chain)) continue;
    if (next.residual && (order.get(next.residual.node) ?? Infinity) >= (order.get(node) ?? -1)) continue;
    plan.starts.delete(reader);
    plan.absorbed.add(reader);
    plan.starts.set(node, { ...start, proj: next.chain, result: next.result, residual: next.residual });
  }
}

/** Same shape, every axis but the batch known: an Add of the two is a plain element-wise sum. */
function sameKnownShape(a: SymbolicTensor, b: SymbolicTensor): boolean {
  return a.rank === b.rank && a.shape.every((d, i) => i === 0 || (d !== null && d === b.shape[i]));
}

/**
 * A linear Conv2D chain whose result only an Add of two reads, the other operand computed before the
 * chain starts (a residual block's shortcut): the chain adds the shortcut in its epilogue, and an
 * activation that alone reads the sum (ResNet's ReLU after the join) becomes the chain's activation.
 */
function planResiduals(nodes: readonly GraphNode[], plan: GraphPlan, soleConsumer: (t: SymbolicTensor) => GraphNode | null): void {
  const order = new Map(nodes.map((n, i) => [n, i]));
  for (const [node, start] of [...plan.starts]) {
    if (start.then || start.chain.activation !== 'linear' || !(start.chain.conv instanceof Conv2D)) continue;
    const addNode = soleConsumer(start.result);
    if (!addNode || addNode.layer.constructor !== Add || addNode.inputs.length !== 2 || addNode.outputs.length !== 1) continue;
    const [a, b] = addNode.inputs;
    if (a === b || (a !== start.result && b !== start.result)) continue;
    const shortcut = a === start.result ? b : a;
    if (!sameKnownShape(shortcut, start.result) || (order.get(shortcut.node) ?? Infinity) >= (order.get(node) ?? -1)) continue;
    const actNode = soleConsumer(addNode.outputs[0]);
    const act = actNode && actNode.inputs.length === 1 ? activationOfLayer(actNode.layer) : null;
    plan.absorbed.add(addNode);
    if (act && actNode) plan.absorbed.add(actNode);
    plan.starts.set(node, {
      chain: { ...start.chain, activation: act ?? 'linear', length: start.chain.length + (act ? 2 : 1) },
      result: act && actNode ? actNode.outputs[0] : addNode.outputs[0], residual: shortcut,
    });
  }
}
