/** The functional graph: nodes reachable from the outputs, in an order that can be executed. */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Layer } from '../layers/layer.js';
import { InputLayer } from '../layers/input.js';
import type { GraphNode, SymbolicTensor } from '../layers/symbolic.js';
import { isBuiltinLayer } from '../layers/registry.js';
import { recycleStorage } from '../tensor/recycle.js';
import { type GraphPlan, applyChains, fusionActive, planGraph } from './inference_fusion.js';
import type { Residual } from '../ops/fused.js';

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
const releases = new WeakMap<Graph, Map<GraphPlan | null, Schedule>>();

interface Schedule {
  /** Executed node → the values it read for the last time. */
  after: Map<GraphNode, SymbolicTensor[]>;
  /**
   * Values whose storage may be reused once released: produced and read only by convkit's own
   * layers (a user's layer might keep a reference to a tensor it read or returned).
   */
  reusable: Set<SymbolicTensor>;
}

/**
 * After which executed node each intermediate value is read for the last time (absorbed nodes of a
 * fused chain never run; a chain reads only its first node's input). Outputs are never released.
 */
function releaseSchedule(g: Graph, plan: GraphPlan | undefined): Schedule {
  let byPlan = releases.get(g);
  if (!byPlan) releases.set(g, byPlan = new Map());
  const cached = byPlan.get(plan ?? null);
  if (cached) return cached;
  const last = new Map<SymbolicTensor, GraphNode>();
  const readers = new Map<SymbolicTensor, GraphNode[]>();
  for (const node of g.nodes) {
    if (node.layer instanceof InputLayer || plan?.absorbed.has(node)) continue;
    const start = plan?.starts.get(node);
    for (const t of start ? (start.residual ? [node.inputs[0], start.residual] : [node.inputs[0]]) : node.inputs) {
      last.set(t, node);
      readers.set(t, [...(readers.get(t) ?? []), node]);
    }
  }
  const outputs = new Set(g.outputs);
  const schedule: Schedule = { after: new Map(), reusable: new Set() };
  for (const [t, node] of last) {
    if (outputs.has(t)) continue;
    const list = schedule.after.get(node);
    if (list) list.push(t);
    else schedule.after.set(node, [t]);
    const producer = t.node.layer;
    if (!(producer instanceof InputLayer) && isBuiltinLayer(producer) && (readers.get(t) ?? []).every((r) => isBuiltinLayer(r.layer))) {
      schedule.reusable.add(t);
    }
  }
  byPlan.set(plan ?? null, schedule);
  return schedule;
}

/**
 * Run the graph on concrete tensors (in inference, conv → BN → activation chains run fused). Each
 * intermediate value leaves the table after its last reader ran, so the garbage collector can reclaim
 * it during the pass rather than after it (peak memory is the live set, not every activation). In
 * inference, storage that no live value shares any more is handed back for reuse (tensor/recycle.ts).
 */
export function runGraph(g: Graph, inputs: Tensor[], training: boolean): Tensor[] {
  const values = new Values();
  g.inputs.forEach((t, i) => values.set(t, inputs[i], true));
  let plan: GraphPlan | undefined;
  if (fusionActive(training)) {
    plan = plans.get(g);
    if (!plan) plans.set(g, plan = planGraph(g.nodes, g.outputs));
  }
  const schedule = releaseSchedule(g, plan);
  // Recycling is tied to inference like fusion: with gradients recorded, the tape keeps inputs alive.
  const reusable = plan ? schedule.reusable : null;
  for (const node of g.nodes) {
    if (node.layer instanceof InputLayer) continue;
    if (plan) {
      if (plan.absorbed.has(node)) continue;
      const start = plan.starts.get(node);
      if (start) {
        const x = values.get(node.inputs[0]);
        let residual: Residual | undefined;
        if (start.residual) {
          // The sum may overwrite the shortcut when this is its last reader, nothing shares it, and
          // it is not also the convolution's input (a conv that reads the shortcut itself and is joined back to it).
          const tensor = values.get(start.residual);
          const inPlace = !!reusable?.has(start.residual) && !!schedule.after.get(node)?.includes(start.residual) &&
            values.soleHolder(tensor) && tensor.values.buffer !== x.values.buffer;
          residual = { tensor, inPlace };
        }
        values.set(start.result, applyChains(x, start.chain, start.then, residual, start.proj));
        values.release(schedule.after.get(node), reusable);
        continue;
      }
    }
    const args = node.inputs.map((t) => values.get(t));
    const out = node.layer.apply(node.inputsAsList ? args : args[0], { training: node.training ?? training }) as Tensor | Tensor[];
    if (Array.isArray(out)) node.outputs.forEach((t, i) => values.set(t, out[i]));
    else values.set(node.outputs[0], out);
    values.release(schedule.after.get(node), reusable);
  }
  return g.outputs.map((t) => values.get(t));
}

/** The live values of one pass, with how many of them share each storage buffer. */
class Values {
  private readonly byTensor = new Map<SymbolicTensor, Tensor>();
  private readonly holders = new Map<ArrayBufferLike, number>();

  get(t: SymbolicTensor): Tensor {
    return this.byTensor.get(t) as Tensor;
  }

  /** No other live value (and no caller's input) shares `v`'s storage. */
  soleHolder(v: Tensor): boolean {
    return this.holders.get(v.values.buffer) === 1;
  }

  /** `pinned`: the caller's storage (a model input), never reused even when a value shares it. */
  set(t: SymbolicTensor, v: Tensor, pinned = false): void {
    this.byTensor.set(t, v);
    const buf = v.values.buffer;
    this.holders.set(buf, (this.holders.get(buf) ?? 0) + (pinned ? 2 : 1));
  }

  /** Drops `done`; storage of a `reusable` value that no live value shares goes back to the pool. */
  release(done: SymbolicTensor[] | undefined, reusable: Set<SymbolicTensor> | null): void {
    if (!done) return;
    for (const t of done) {
      const v = this.byTensor.get(t);
      if (!v) continue;
      this.byTensor.delete(t);
      const buf = v.values.buffer;
      const left = (this.holders.get(buf) ?? 1) - 1;
      if (left > 0) {
        this.holders.set(buf, left);
        continue;
      }
      this.holders.delete(buf);
      if (reusable?.has(t)) recycleStorage(v);
    }
  }
}
