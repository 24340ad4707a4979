/** The functional graph: nodes reachable from the outputs, in an order that can be executed. */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Layer } from '../layers/layer.js';
import { InputLayer } from '../layers/input.js';
import type { GraphNode, SymbolicTensor } from '../layers/symbolic.js';
import { type GraphPlan, fusionActive, planGraph } from './inference_fusion.js';

export interface Graph {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  /** Nodes in execution order (inputs' nodes first). */
  nodes: GraphNode[];
  /** Distinct layers in execution order, input layers included (Keras's model.layers). */
  layers: Layer[];
}

/** The calls the outputs depend on, each after the calls it reads (inputs' nodes first). */
export function executionOrder(outputs: readonly SymbolicTensor[], modelName: string): GraphNode[] {
  const order: GraphNode[] = [];
  const state = new Map<GraphNode, 'visiting' | 'done'>();
  const visit = (node: GraphNode): void => {
    const s = state.get(node);
    if (s === 'done') return;
    if (s === 'visiting') throw new ValueError(`Model "${modelName}": the graph has a cycle through layer "${node.layer.name}"`);
    state.set(node, 'visiting');
    for (const t of node.inputs) visit(t.node);
    state.set(node, 'done');
    order.push(node);
  };
  for (const t of outputs) visit(t.node);
  return order;
}

export function buildGraph(inputs: SymbolicTensor[], outputs: SymbolicTensor[], modelName: string): Graph {
  for (const t of inputs) {
    if (!(t.node.layer instanceof InputLayer)) {
      throw new ValueError(`Model "${modelName}": every input must come from Input(), but ${t.name} was produced by layer "${t.node.layer.name}"`);
    }
  }
  const order = executionOrder(outputs, modelName);
  const inputNodes = new Set(inputs.map((t) => t.node));
  for (const node of order) {
    if (node.layer instanceof InputLayer && !inputNodes.has(node)) {
      throw new ValueError(`Model "${modelName}": output depends on input "${node.layer.name}", which is not in the model's inputs`);
    }
  }
  const layers: Layer[] = [];
  for (const n of order) if (!layers.includes(n.layer)) layers.push(n.layer);
  return { inputs, outputs, nodes: order, layers };
}

const plans = new WeakMap<Graph, GraphPlan>();
const releases = new WeakMap<Graph, Map<GraphPlan | null, Map<GraphNode, SymbolicTensor[]>>>();

/**
 * After which executed node each intermediate value is read for the last time (absorbed nodes of a
 * fused chain never run; a chain reads only its first node's input). Outputs are never released.
 */
function releaseSchedule(g: Graph, plan: GraphPlan | undefined): Map<GraphNode, SymbolicTensor[]> {
  let byPlan = releases.get(g);
  if (!byPlan) releases.set(g, byPlan = new Map());
  const cached = byPlan.get(plan ?? null);
  if (cached) return cached;
  const last = new Map<SymbolicTensor, GraphNode>();
  for (const node of g.nodes) {
    if (node.layer instanceof InputLayer || plan?.absorbed.has(node)) continue;
    for (const t of plan?.starts.has(node) ? [node.inputs[0]] : node.inputs) last.set(t, node);
  }
  const outputs = new Set(g.outputs);
  const schedule = new Map<GraphNode, SymbolicTensor[]>();
  for (const [t, node] of last) {
    if (outputs.has(t)) continue;
    const list = schedule.get(node);
    if (list) list.push(t);
    else schedule.set(node, [t]);
  }
  byPlan.set(plan ?? null, schedule);
  return schedule;
}

/**
 * Run the graph on concrete tensors (in inference, conv → BN → activation chains run fused). Each
 * intermediate value leaves the table after its last reader ran, so the garbage collector can reclaim
 * it during the pass rather than after it (peak memory is the live set, not every activation).
 */
export function runGraph(g: Graph, inputs: Tensor[], training: boolean): Tensor[] {
  const values = new Map<SymbolicTensor, Tensor>();
  g.inputs.forEach((t, i) => values.set(t, inputs[i]));
  let plan: GraphPlan | undefined;
  if (fusionActive(training)) {
    plan = plans.get(g);
    if (!plan) plans.set(g, plan = planGraph(g.nodes, g.outputs));
  }
  const schedule = releaseSchedule(g, plan);
  for (const node of g.nodes) {
    if (node.layer instanceof InputLayer) continue;
    if (plan) {
      if (plan.absorbed.has(node)) continue;
      const start = plan.starts.get(node);
      if (start) {
        const x = values.get(node.inputs[0]) as Tensor;
        values.set(start.result, start.chain.conv.applyFolded(x, start.chain.bn, start.chain.activation, start.chain.pad));
        release(values, schedule.get(node));
        continue;
      }
    }
    const args = node.inputs.map((t) => values.get(t) as Tensor);
    const out = node.layer.apply(node.inputsAsList ? args : args[0], { training: node.training ?? training }) as Tensor | Tensor[];
    const outs = Array.isArray(out) ? out : [out];
    node.outputs.forEach((t, i) => values.set(t, outs[i]));
    release(values, schedule.get(node));
  }
  return g.outputs.map((t) => values.get(t) as Tensor);
}

function release(values: Map<SymbolicTensor, Tensor>, done: SymbolicTensor[] | undefined): void {
  if (done) for (const t of done) values.delete(t);
}
