/**
 * Layered ("Sugiyama") layout of a directed acyclic graph of boxes, the arithmetic behind
 * graphFigure (no drawing here):
 *
 * 1. ranks by longest path from the sources, so every edge goes at least one rank down;
 * 2. an edge spanning several ranks gets a dummy node on each rank in between, so it can be drawn
 *    as a polyline through the gaps between boxes instead of across them;
 * 3. order within each rank: barycentre sweeps down and up, keeping the order with the fewest
 *    edge crossings, then adjacent swaps that still remove crossings;
 * 4. positions along each rank by Brandes and Köpf's method (graph_coordinates.ts): chains of
 *    layers and long edges straight, boxes at least a gap apart.
 *
 * Coordinates are computed along two axes: "along" (position inside a rank) and "across" (rank
 * depth), and mapped to x/y by direction: TB puts ranks top to bottom, LR left to right.
 */
import { ValueError } from '../errors.js';
import { brandesKopf } from './graph_coordinates.js';

export type Direction = 'TB' | 'LR';

export interface BoxSize {
  width: number;
  height: number;
}

export interface LayoutOptions {
  direction?: Direction;
  /** Space between neighbouring boxes of a rank. */
  nodeGap?: number;
  /** Space between ranks (where edges run). */
  rankGap?: number;
  /** Space kept on each side of an edge passing between boxes. */
  edgeGap?: number;
  /** Empty border around the drawing. */
  margin?: number;
  /** Barycentre sweep iterations (each one down and one up). */
  sweeps?: number;
}

export interface PlacedBox {
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
  rank: number;
}

export interface RoutedEdge {
  from: number;
  to: number;
  /** From the source box's border (bottom for TB, right for LR) to the target's (top / left). */
  points: [number, number][];
}

export interface GraphLayout {
  width: number;
  height: number;
  boxes: PlacedBox[];
  edges: RoutedEdge[];
  /** Edge crossings between adjacent ranks after ordering (dummy segments included). */
  crossings: number;
  rankCount: number;
}

/** Longest-path ranks: sources 0, every other node one more than its deepest predecessor. */
export function longestPathRanks(count: number, edges: readonly (readonly [number, number])[]): number[] {
  const preds: number[][] = Array.from({ length: count }, () => []);
  const succs: number[][] = Array.from({ length: count }, () => []);
  for (const [a, b] of edges) {
    if (a < 0 || b < 0 || a >= count || b >= count) throw new ValueError(`layout: edge [${a}, ${b}] refers to a node outside 0..${count - 1}`);
    if (a === b) throw new ValueError(`layout: node ${a} has an edge to itself; a layered layout needs an acyclic graph`);
    preds[b].push(a);
    succs[a].push(b);
  }
  const indegree = preds.map((p) => p.length);
  const rank = new Array<number>(count).fill(0);
  const queue: number[] = [];
  for (let i = 0; i < count; i++) if (indegree[i] === 0) queue.push(i);
  let done = 0;
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q];
    done++;
    for (const w of succs[v]) {
      rank[w] = Math.max(rank[w], rank[v] + 1);
      if (--indegree[w] === 0) queue.push(w);
    }
  }
  if (done !== count) throw new ValueError('layout: the graph has a cycle; a layered layout needs an acyclic graph');
  return rank;
}

/** A node of the layered graph: a real box, or a dummy standing for an edge crossing a rank. */
interface LNode {
  rank: number;
  /** Size along the rank (width for TB) and across it (height for TB). */
  along: number;
  across: number;
  dummy: boolean;
  /** Real node index, or for a dummy the index of the edge it belongs to. */
  ref: number;
  up: number[];
  down: number[];
  pos: number;
}

/** Crossings between two adjacent ranks, given each upper node's order and each lower node's order. */
function crossingsBetween(upper: number[], order: Map<number, number>, nodes: LNode[]): number {
  const pairs: [number, number][] = [];
  for (const u of upper) for (const d of nodes[u].down) pairs.push([order.get(u) as number, order.get(d) as number]);
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  // Inversions of the lower ends, counted with a Fenwick tree.
  let max = 0;
  for (const p of pairs) max = Math.max(max, p[1] + 1);
  const tree = new Array<number>(max + 1).fill(0);
  let crossings = 0;
  for (let i = pairs.length - 1; i >= 0; i--) {
    const v = pairs[i][1];
    for (let j = v; j > 0; j -= j & -j) crossings += tree[j];
    for (let j = v + 1; j <= max; j += j & -j) tree[j]++;
  }
  return crossings;
}

function totalCrossings(layers: number[][], nodes: LNode[]): number {
  const order = positionMap(layers);
  let total = 0;
  for (let r = 0; r + 1 < layers.length; r++) total += crossingsBetween(layers[r], order, nodes);
  return total;
}

function positionMap(layers: number[][]): Map<number, number> {
  const order = new Map<number, number>();
  for (const layer of layers) layer.forEach((v, i) => order.set(v, i));
  return order;
}

/** Reorders one rank by the mean position of each node's neighbours on the fixed side. */
function sortByBarycentre(layer: number[], nodes: LNode[], order: Map<number, number>, side: 'up' | 'down'): void {
  const key = new Map<number, number>();
  layer.forEach((v, i) => {
    const ns = nodes[v][side];
    key.set(v, ns.length === 0 ? i : ns.reduce((s, n) => s + (order.get(n) as number), 0) / ns.length);
  });
  const current = new Map(layer.map((v, i) => [v, i]));
  layer.sort((a, b) => (key.get(a) as number) - (key.get(b) as number) || (current.get(a) as number) - (current.get(b) as number));
  layer.forEach((v, i) => order.set(v, i));
}

function orderRanks(layers: number[][], nodes: LNode[], sweeps: number): number[][] {
  let best = layers.map((l) => [...l]);
  let bestCount = totalCrossings(best, nodes);
  const order = positionMap(layers);
  for (let it = 0; it < sweeps && bestCount > 0; it++) {
    for (let r = 1; r < layers.length; r++) sortByBarycentre(layers[r], nodes, order, 'up');
    for (let r = layers.length - 2; r >= 0; r--) sortByBarycentre(layers[r], nodes, order, 'down');
    const count = totalCrossings(layers, nodes);
    if (count < bestCount) {
      bestCount = count;
      best = layers.map((l) => [...l]);
    }
  }
  transposeSwaps(best, nodes);
  return best;
}

/** Crossings of rank r's nodes with both neighbouring ranks. */
function localCrossings(layers: number[][], r: number, nodes: LNode[], order: Map<number, number>): number {
  let c = 0;
  if (r > 0) c += crossingsBetween(layers[r - 1], order, nodes);
  if (r + 1 < layers.length) c += crossingsBetween(layers[r], order, nodes);
  return c;
}

/** Swaps neighbours while a swap lowers the crossings around their rank (a few rounds at most). */
function transposeSwaps(layers: number[][], nodes: LNode[]): void {
  const order = positionMap(layers);
  for (let round = 0; round < 4; round++) {
    let improved = false;
    for (let r = 0; r < layers.length; r++) {
      const layer = layers[r];
      if (layer.length < 2) continue;
      let before = localCrossings(layers, r, nodes, order);
      if (before === 0) continue;
      for (let i = 0; i + 1 < layer.length; i++) {
        const a = layer[i];
        const b = layer[i + 1];
        layer[i] = b; layer[i + 1] = a;
        order.set(b, i); order.set(a, i + 1);
        const after = localCrossings(layers, r, nodes, order);
        if (after < before) {
          before = after;
          improved = true;
        } else {
          layer[i] = a; layer[i + 1] = b;
          order.set(a, i); order.set(b, i + 1);
        }
      }
    }
    if (!improved) break;
  }
}

/** Where edges leave (or enter) a box: spread over its middle so parallel edges stay apart. */
function ports(count: number, center: number, size: number): number[] {
  if (count === 0) return [];
  if (count === 1) return [center];
  const span = Math.min(size * 0.6, (count - 1) * 24);
  return Array.from({ length: count }, (_, i) => center - span / 2 + (span * i) / (count - 1));
}

export function layoutGraph(sizes: readonly BoxSize[], edges: readonly (readonly [number, number])[], opts: LayoutOptions = {}): GraphLayout {
  const direction = opts.direction ?? 'TB';
  if (direction !== 'TB' && direction !== 'LR') throw new ValueError(`layout: direction must be 'TB' or 'LR', got ${JSON.stringify(direction)}`);
  const nodeGap = opts.nodeGap ?? 28;
  const rankGap = opts.rankGap ?? 36;
  const edgeGap = opts.edgeGap ?? 10;
  const margin = opts.margin ?? 16;
  const tb = direction === 'TB';
  const rank = longestPathRanks(sizes.length, edges);
  const rankCount = sizes.length === 0 ? 0 : Math.max(...rank) + 1;

  const nodes: LNode[] = sizes.map((s, i) => ({
    rank: rank[i], along: tb ? s.width : s.height, across: tb ? s.height : s.width, dummy: false, ref: i, up: [], down: [], pos: 0,
  }));
  /** Each edge's chain of layered nodes, source first. */
  const chains: number[][] = edges.map(([a, b], e) => {
    const chain = [a];
    for (let r = rank[a] + 1; r < rank[b]; r++) {
      nodes.push({ rank: r, along: 0, across: 0, dummy: true, ref: e, up: [], down: [], pos: 0 });
      chain.push(nodes.length - 1);
    }
    chain.push(b);
    for (let k = 0; k + 1 < chain.length; k++) {
      nodes[chain[k]].down.push(chain[k + 1]);
      nodes[chain[k + 1]].up.push(chain[k]);
    }
    return chain;
  });

  // Initial order: real nodes in the given order (execution order for models), dummies after their source.
  const layers: number[][] = Array.from({ length: rankCount }, () => []);
  for (let v = 0; v < nodes.length; v++) layers[nodes[v].rank].push(v);
  const order = positionMap(layers);
  for (let r = 1; r < layers.length; r++) sortByBarycentre(layers[r], nodes, order, 'up');
  const ordered = orderRanks(layers, nodes, opts.sweeps ?? 24);
  const crossings = totalCrossings(ordered, nodes);
  const gapOf = (a: LNode, b: LNode) => (a.along + b.along) / 2 + (a.dummy || b.dummy ? edgeGap : nodeGap);
  const xs = brandesKopf(ordered, nodes, (a, b) => gapOf(nodes[a], nodes[b]));
  nodes.forEach((n, i) => (n.pos = xs[i]));

  // Across positions: each rank is a band as deep as its deepest box; boxes are centred in it.
  const bandStart: number[] = [];
  const bandDepth: number[] = [];
  let across = margin;
  for (let r = 0; r < rankCount; r++) {
    const depth = Math.max(0, ...ordered[r].map((v) => nodes[v].across));
    bandStart.push(across);
    bandDepth.push(depth);
    across += depth + rankGap;
  }
  const acrossExtent = rankCount === 0 ? 2 * margin : across - rankGap + margin;
  let minAlong = Infinity;
  let maxAlong = -Infinity;
  for (const n of nodes) {
    minAlong = Math.min(minAlong, n.pos - n.along / 2);
    maxAlong = Math.max(maxAlong, n.pos + n.along / 2);
  }
  if (nodes.length === 0) minAlong = maxAlong = 0;
  const shift = margin - minAlong;
  const alongExtent = maxAlong - minAlong + 2 * margin;
  const at = (along: number, acr: number): [number, number] => (tb ? [along + shift, acr] : [acr, along + shift]);

  const boxes: PlacedBox[] = sizes.map((s, i) => {
    const n = nodes[i];
    const acrossTop = bandStart[n.rank] + (bandDepth[n.rank] - n.across) / 2;
    const [x, y] = at(n.pos - n.along / 2, acrossTop);
    return { x, y, width: s.width, height: s.height, rank: n.rank };
  });

  // Ports: outgoing edges leave in the order of where they head next; incoming arrive likewise.
  const outPorts = new Map<number, number>();
  const inPorts = new Map<number, number>();
  for (let v = 0; v < sizes.length; v++) {
    const outgoing = chains.map((c, e) => ({ c, e })).filter(({ c }) => c[0] === v);
    outgoing.sort((p, q) => nodes[p.c[1]].pos - nodes[q.c[1]].pos);
    ports(outgoing.length, nodes[v].pos, nodes[v].along).forEach((p, i) => outPorts.set(outgoing[i].e, p));
    const incoming = chains.map((c, e) => ({ c, e })).filter(({ c }) => c[c.length - 1] === v);
    incoming.sort((p, q) => nodes[p.c[p.c.length - 2]].pos - nodes[q.c[q.c.length - 2]].pos);
    ports(incoming.length, nodes[v].pos, nodes[v].along).forEach((p, i) => inPorts.set(incoming[i].e, p));
  }
  const routed: RoutedEdge[] = chains.map((chain, e) => {
    const [a, b] = edges[e];
    const src = nodes[a];
    const dst = nodes[b];
    const srcEnd = bandStart[src.rank] + (bandDepth[src.rank] + src.across) / 2;
    const dstStart = bandStart[dst.rank] + (bandDepth[dst.rank] - dst.across) / 2;
    const points: [number, number][] = [at(outPorts.get(e) as number, srcEnd)];
    // A dummy crosses its rank's band vertically, clear of the boxes beside it.
    for (const d of chain.slice(1, -1)) {
      const r = nodes[d].rank;
      points.push(at(nodes[d].pos, bandStart[r]), at(nodes[d].pos, bandStart[r] + bandDepth[r]));
    }
    points.push(at(inPorts.get(e) as number, dstStart));
    return { from: a, to: b, points };
  });
  const [width, height] = tb ? [alongExtent, acrossExtent] : [acrossExtent, alongExtent];
  return { width: Math.ceil(width), height: Math.ceil(height), boxes, edges: routed, crossings, rankCount };
}
