import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inceptionV3 } from '../../src/applications/index.js';
import { lenet5 } from '../../src/applications/seed_models.js';
import { ValueError } from '../../src/errors.js';
import { modelGraph, type ModelGraph } from '../../src/viz/model_graph.js';
import { graphFigure, graphLayout, type ModelGraphLayout } from '../../src/viz/graph.js';
import { layoutGraph, longestPathRanks } from '../../src/viz/graph_layout.js';
import { residualBlock } from './graph_fixtures.js';

const EPS = 1e-6;

function assertNoOverlap(layout: ModelGraphLayout, g: ModelGraph): void {
  const b = layout.boxes;
  for (let i = 0; i < b.length; i++) {
    for (let j = i + 1; j < b.length; j++) {
      const apart = b[i].x + b[i].width <= b[j].x + EPS || b[j].x + b[j].width <= b[i].x + EPS
        || b[i].y + b[i].height <= b[j].y + EPS || b[j].y + b[j].height <= b[i].y + EPS;
      assert.ok(apart, `boxes ${g.nodes[i].id} and ${g.nodes[j].id} overlap`);
    }
    assert.ok(b[i].x >= 0 && b[i].y >= 0 && b[i].x + b[i].width <= layout.width && b[i].y + b[i].height <= layout.height, `box ${g.nodes[i].id} is outside the figure`);
  }
}

/** TB: an edge leaves its source's bottom border and ends on its target's top border. */
function assertEdgesTouchBoxes(layout: ModelGraphLayout, g: ModelGraph): void {
  const index = new Map(g.nodes.map((n, i) => [n.id, i]));
  assert.equal(layout.edges.length, g.edges.length);
  layout.edges.forEach((e, k) => {
    assert.deepEqual([g.nodes[e.from].id, g.nodes[e.to].id], g.edges[k]);
    const src = layout.boxes[index.get(g.edges[k][0]) as number];
    const dst = layout.boxes[index.get(g.edges[k][1]) as number];
    const [sx, sy] = e.points[0];
    const [tx, ty] = e.points[e.points.length - 1];
    assert.ok(Math.abs(sy - (src.y + src.height)) < EPS && sx >= src.x - EPS && sx <= src.x + src.width + EPS, `edge ${g.edges[k]} does not start on its source's bottom border`);
    assert.ok(Math.abs(ty - dst.y) < EPS && tx >= dst.x - EPS && tx <= dst.x + dst.width + EPS, `edge ${g.edges[k]} does not end on its target's top border`);
    // Downward all the way: a polyline never turns back up.
    for (let p = 1; p < e.points.length; p++) assert.ok(e.points[p][1] >= e.points[p - 1][1] - EPS);
  });
}

function assertRanksIncrease(layout: ModelGraphLayout, g: ModelGraph): void {
  const index = new Map(g.nodes.map((n, i) => [n.id, i]));
  for (const [a, b] of g.edges) {
    const ra = layout.boxes[index.get(a) as number].rank;
    const rb = layout.boxes[index.get(b) as number].rank;
    assert.ok(rb > ra, `edge ${a} → ${b} goes from rank ${ra} to rank ${rb}`);
  }
}

/** No segment of a routed edge passes through a box other than its own ends. */
function assertEdgesAvoidBoxes(layout: ModelGraphLayout): void {
  for (const e of layout.edges) {
    for (let p = 1; p < e.points.length; p++) {
      const [x1, y1] = e.points[p - 1];
      const [x2, y2] = e.points[p];
      layout.boxes.forEach((b, i) => {
        if (i === e.from || i === e.to) return;
        // Sample the segment: the boxes are far larger than the step.
        for (let s = 0; s <= 20; s++) {
          const x = x1 + ((x2 - x1) * s) / 20;
          const y = y1 + ((y2 - y1) * s) / 20;
          assert.ok(!(x > b.x + EPS && x < b.x + b.width - EPS && y > b.y + EPS && y < b.y + b.height - EPS), `an edge ${e.from} → ${e.to} crosses box ${i}`);
        }
      });
    }
  }
}

describe('graph layout', () => {
  it('ranks by longest path and refuses cycles', () => {
    assert.deepEqual(longestPathRanks(4, [[0, 1], [1, 2], [0, 2], [2, 3]]), [0, 1, 2, 3]);
    assert.deepEqual(longestPathRanks(3, [[0, 2], [1, 2]]), [0, 0, 1]);
    assert.throws(() => longestPathRanks(2, [[0, 1], [1, 0]]), ValueError);
  });

  it('draws chains and long edges straight (Brandes-Köpf), without sideways drift', () => {
    // a → b → c → d with a skip a → d: the chain is one vertical line, the skip a parallel one.
    const sizes = [0, 1, 2, 3].map(() => ({ width: 100, height: 30 }));
    const layout = layoutGraph(sizes, [[0, 1], [1, 2], [2, 3], [0, 3]]);
    const centre = (i: number) => layout.boxes[i].x + layout.boxes[i].width / 2;
    assert.equal(centre(1), centre(2));
    const skip = layout.edges[3].points;
    // Its dummies' points (all but the two ends) share one x, clear of the chain's boxes.
    const xs = new Set(skip.slice(1, -1).map((p) => p[0]));
    assert.equal(xs.size, 1);
    const x = [...xs][0];
    assert.ok(x >= layout.boxes[1].x + layout.boxes[1].width || x <= layout.boxes[1].x);
  });

  it('lays out a residual block: no overlaps, edges on their boxes, ranks increasing, skip edge routed around', () => {
    const g = modelGraph(residualBlock());
    const layout = graphLayout(g);
    assertNoOverlap(layout, g);
    assertEdgesTouchBoxes(layout, g);
    assertRanksIncrease(layout, g);
    assertEdgesAvoidBoxes(layout);
    const skip = layout.edges.find((e) => g.nodes[e.from].id === 'image' && g.nodes[e.to].id === 'skip_add');
    assert.ok(skip);
    // image (rank 0) → skip_add (rank 3): two dummy ranks, each crossed by a vertical pair of points.
    assert.equal(skip.points.length, 2 + 2 * 2);
    assert.equal(layout.crossings, 0);
  });

  it('lays out InceptionV3 (4-way branches) legibly', () => {
    const g = modelGraph(inceptionV3());
    assert.ok(g.nodes.length > 300);
    const layout = graphLayout(g);
    assertNoOverlap(layout, g);
    assertEdgesTouchBoxes(layout, g);
    assertRanksIncrease(layout, g);
    assert.equal(layout.scale, 1);
    // A mixed block's four branches sit side by side: some rank holds at least four boxes.
    const perRank = new Map<number, number>();
    for (const b of layout.boxes) perRank.set(b.rank, (perRank.get(b.rank) ?? 0) + 1);
    assert.ok(Math.max(...perRank.values()) >= 4);
  });

  it('turns left to right with LR: edges leave right borders and enter left borders', () => {
    const g = modelGraph(residualBlock());
    const layout = graphLayout(g, { direction: 'LR' });
    const index = new Map(g.nodes.map((n, i) => [n.id, i]));
    layout.edges.forEach((e, k) => {
      const src = layout.boxes[index.get(g.edges[k][0]) as number];
      const dst = layout.boxes[index.get(g.edges[k][1]) as number];
      assert.ok(Math.abs(e.points[0][0] - (src.x + src.width)) < EPS);
      assert.ok(Math.abs(e.points[e.points.length - 1][0] - dst.x) < EPS);
    });
    assert.ok(layout.width > layout.height);
  });

  it('shrinks a drawing to a pixel budget, and refuses one that would be unreadable', () => {
    const g = modelGraph(residualBlock());
    const full = graphLayout(g);
    const budget = (full.width * full.height) / 2;
    const small = graphLayout(g, { maxPixels: budget });
    assert.ok(small.scale < 1 && small.scale > 0.6);
    assert.ok(small.width * small.height <= budget);
    assertNoOverlap(small, g);
    assert.throws(() => graphLayout(g, { maxPixels: 2000 }), (e: Error) => e instanceof ValueError && /readable/.test(e.message));
  });

  it('refuses an edge to a node that is not in the graph', () => {
    const g = modelGraph(residualBlock());
    assert.throws(() => graphLayout({ ...g, edges: [...g.edges, ['image', 'nowhere']] }), (e: Error) => e instanceof ValueError && /nowhere/.test(e.message));
    assert.throws(() => layoutGraph([{ width: 1, height: 1 }], [[0, 0]]), ValueError);
  });
});

describe('graphFigure', () => {
  it('draws LeNet-5 with a box per layer, named as in plot_model, at the layout size', async () => {
    const g = modelGraph(lenet5());
    const layout = graphLayout(g);
    const fig = graphFigure(g);
    assert.equal(fig.width, layout.width);
    assert.equal(fig.height, layout.height);
    const svg = fig.toSVG();
    for (const n of g.nodes) assert.ok(svg.includes(`aria-label="${n.name}: ${n.className}"`), `no label for ${n.name}`);
    assert.ok(svg.includes('aria-label="output: (None, 14, 14, 6)"'));
    assert.ok(!graphFigure(g, { showShapes: false }).toSVG().includes('output: ('));
    // The box of the first layer is filled with the input colour at its centre-left (clear of text).
    const raster = await fig.toRaster();
    const box = layout.boxes[0];
    const i = (Math.round(box.y + box.height / 2) * raster.width + Math.round(box.x + 4)) * 4;
    assert.deepEqual([...raster.data.subarray(i, i + 3)], [0xe8, 0xe8, 0xe8]);
  });
});
