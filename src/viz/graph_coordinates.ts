/**
 * Positions along the ranks of an ordered layered graph, by Brandes and Köpf's method ("Fast and
 * Simple Horizontal Coordinate Assignment", Graph Drawing 2001):
 *
 * 1. four alignments (towards the upper or lower neighbours, scanning left or right): each node is
 *    put in one vertical block with a median neighbour when that neither crosses an earlier
 *    alignment of its rank nor an inner segment (a long edge between two dummies);
 * 2. each alignment is compacted: blocks placed as far left (right) as the minimum gaps allow;
 * 3. the four are shifted onto the narrowest one and every node takes the mean of its two middle
 *    positions.
 *
 * Chains of layers and long edges come out as straight vertical lines, and a deep network does not
 * drift sideways block after block (as iterative averaging does).
 */

export interface CoordNode {
  /** Size along the rank (box width for top-to-bottom drawings). */
  along: number;
  dummy: boolean;
  /** Neighbours in the rank above and below. */
  up: number[];
  down: number[];
}

type Separation = (a: number, b: number) => number;

/** Segments between two dummies (inner) crossed by other segments: those others must not align. */
function type1Conflicts(layers: number[][], nodes: CoordNode[], order: Int32Array): Set<string> {
  const conflicts = new Set<string>();
  for (let r = 1; r < layers.length; r++) {
    const prev = layers[r - 1];
    const layer = layers[r];
    let k0 = 0;
    let scanPos = 0;
    const lastIdx = layer.length - 1;
    for (let i = 0; i < layer.length; i++) {
      const v = layer[i];
      const inner = nodes[v].dummy ? nodes[v].up.find((u) => nodes[u].dummy) : undefined;
      const k1 = inner !== undefined ? order[inner] : prev.length;
      if (inner !== undefined || i === lastIdx) {
        for (const w of layer.slice(scanPos, i + 1)) {
          for (const u of nodes[w].up) {
            const uPos = order[u];
            if ((uPos < k0 || k1 < uPos) && !(nodes[u].dummy && nodes[w].dummy)) conflicts.add(`${Math.min(u, w)},${Math.max(u, w)}`);
          }
        }
        scanPos = i + 1;
        k0 = k1;
      }
    }
  }
  return conflicts;
}

interface Alignment {
  root: Int32Array;
  align: Int32Array;
}

function verticalAlignment(layers: number[][], neighbours: (v: number) => number[], order: Int32Array, conflicts: Set<string>, count: number): Alignment {
  const root = new Int32Array(count);
  const align = new Int32Array(count);
  for (let v = 0; v < count; v++) {
    root[v] = v;
    align[v] = v;
  }
  for (const layer of layers) {
    let prevIdx = -1;
    for (const v of layer) {
      const ws = [...neighbours(v)].sort((a, b) => order[a] - order[b]);
      if (ws.length === 0) continue;
      const mp = (ws.length - 1) / 2;
      for (let i = Math.floor(mp); i <= Math.ceil(mp); i++) {
        const w = ws[i];
        if (align[v] === v && prevIdx < order[w] && !conflicts.has(`${Math.min(v, w)},${Math.max(v, w)}`)) {
          align[w] = v;
          align[v] = root[v] = root[w];
          prevIdx = order[w];
        }
      }
    }
  }
  return { root, align };
}

/** Blocks placed left to right as tight as the gaps allow, then pulled right where there is slack. */
function horizontalCompaction(layers: number[][], { root }: Alignment, sep: Separation, count: number): Float64Array {
  // Block graph: an edge from the block left of a node to the node's block, weighted by the gap.
  const succ = new Map<number, Map<number, number>>();
  const pred = new Map<number, Map<number, number>>();
  const addEdge = (a: number, b: number, w: number) => {
    let s = succ.get(a);
    if (!s) succ.set(a, s = new Map());
    s.set(b, Math.max(s.get(b) ?? -Infinity, w));
    let p = pred.get(b);
    if (!p) pred.set(b, p = new Map());
    p.set(a, Math.max(p.get(a) ?? -Infinity, w));
  };
  const roots = new Set<number>();
  for (const layer of layers) {
    for (let i = 0; i < layer.length; i++) {
      roots.add(root[layer[i]]);
      if (i > 0) addEdge(root[layer[i - 1]], root[layer[i]], sep(layer[i - 1], layer[i]));
    }
  }
  // Topological order of the block graph (it is acyclic: alignments never cross).
  const indegree = new Map<number, number>();
  for (const r of roots) indegree.set(r, pred.get(r)?.size ?? 0);
  const topo: number[] = [];
  for (const r of roots) if (indegree.get(r) === 0) topo.push(r);
  for (let q = 0; q < topo.length; q++) {
    for (const b of succ.get(topo[q])?.keys() ?? []) {
      const d = (indegree.get(b) as number) - 1;
      indegree.set(b, d);
      if (d === 0) topo.push(b);
    }
  }
  const xs = new Map<number, number>();
  for (const r of topo) {
    let x = 0;
    for (const [a, w] of pred.get(r) ?? []) x = Math.max(x, (xs.get(a) as number) + w);
    xs.set(r, x);
  }
  for (let q = topo.length - 1; q >= 0; q--) {
    const r = topo[q];
    let min = Infinity;
    for (const [b, w] of succ.get(r) ?? []) min = Math.min(min, (xs.get(b) as number) - w);
    if (min !== Infinity) xs.set(r, Math.max(xs.get(r) as number, min));
  }
  const out = new Float64Array(count);
  for (let v = 0; v < count; v++) out[v] = xs.get(root[v]) ?? 0;
  return out;
}

/** Centre positions of every node; `layers` hold node indices in drawing order. */
export function brandesKopf(layers: number[][], nodes: CoordNode[], sep: Separation): Float64Array {
  const count = nodes.length;
  const order = new Int32Array(count);
  for (const layer of layers) layer.forEach((v, i) => (order[v] = i));
  const conflicts = type1Conflicts(layers, nodes, order);
  const results: { xs: Float64Array; right: boolean }[] = [];
  for (const vertical of ['up', 'down'] as const) {
    const ranks = vertical === 'up' ? layers : [...layers].reverse();
    for (const right of [false, true]) {
      const scanned = right ? ranks.map((l) => [...l].reverse()) : ranks;
      // Scanning right to left is scanning a mirrored drawing: mirrored order, mirrored positions.
      const mirroredOrder = new Int32Array(count);
      for (const layer of scanned) layer.forEach((v, i) => (mirroredOrder[v] = i));
      const alignment = verticalAlignment(scanned, (v) => nodes[v][vertical], mirroredOrder, conflicts, count);
      const xs = horizontalCompaction(scanned, alignment, (a, b) => sep(a, b), count);
      if (right) for (let v = 0; v < count; v++) xs[v] = -xs[v];
      results.push({ xs, right });
    }
  }
  // Shift all four onto the narrowest: left-scanned ones share its left edge, right-scanned its right.
  const extent = (xs: Float64Array) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let v = 0; v < count; v++) {
      lo = Math.min(lo, xs[v] - nodes[v].along / 2);
      hi = Math.max(hi, xs[v] + nodes[v].along / 2);
    }
    return [lo, hi] as const;
  };
  const extents = results.map((r) => extent(r.xs));
  let narrowest = 0;
  extents.forEach(([lo, hi], i) => {
    if (hi - lo < extents[narrowest][1] - extents[narrowest][0]) narrowest = i;
  });
  const [targetLo, targetHi] = extents[narrowest];
  results.forEach((r, i) => {
    const delta = r.right ? targetHi - extents[i][1] : targetLo - extents[i][0];
    for (let v = 0; v < count; v++) r.xs[v] += delta;
  });
  const out = new Float64Array(count);
  for (let v = 0; v < count; v++) {
    const four = results.map((r) => r.xs[v]).sort((a, b) => a - b);
    out[v] = (four[1] + four[2]) / 2;
  }
  return out;
}
