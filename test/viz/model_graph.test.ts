import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import { Input } from '../../src/layers/input.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { lenet5 } from '../../src/applications/seed_models.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { ValueError } from '../../src/errors.js';
import { modelGraph } from '../../src/viz/model_graph.js';
import { residualBlock } from './graph_fixtures.js';


describe('modelGraph', () => {
  it('draws a Sequential LeNet-5 as a chain that starts with its InputLayer, with summary shapes', () => {
    const model = lenet5();
    const g = modelGraph(model);
    assert.equal(g.nodes.length, 9);
    assert.equal(g.nodes[0].className, 'InputLayer');
    assert.deepEqual(g.nodes[0].outputShape, [null, 28, 28, 1]);
    assert.deepEqual(g.nodes.slice(1).map((n) => n.name), model.layers.map((l) => l.name));
    assert.deepEqual(g.nodes.map((n) => n.className), ['InputLayer', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense', 'Dense']);
    assert.deepEqual(g.nodes[2].outputShape, [null, 14, 14, 6]);
    assert.deepEqual(g.nodes[5].outputShape, [null, 784]);
    assert.deepEqual(g.nodes[8].outputShape, [null, 10]);
    // Same figures as the summary.
    const rows = model.summary({ printFn: null }).layers;
    assert.deepEqual(g.nodes.slice(1).map((n) => [n.outputShape, n.params]), rows.map((r) => [r.outputShape, r.params]));
    assert.equal(g.nodes[1].params, 156);
    assert.deepEqual(g.edges, g.nodes.slice(1).map((n, i) => [g.nodes[i].id, n.id]));
    assert.deepEqual(g.inputs, [g.nodes[0].id]);
    assert.deepEqual(g.outputs, [g.nodes[8].id]);
    assert.equal(g.className, 'Sequential');
  });

  it('draws a functional residual block with the skip edge into Add', () => {
    const g = modelGraph(residualBlock());
    assert.deepEqual(g.nodes.map((n) => n.id), ['image', 'conv_a', 'conv_b', 'skip_add', 'gap', 'head']);
    const into = (id: string) => g.edges.filter(([, to]) => to === id).map(([from]) => from).sort();
    assert.deepEqual(into('skip_add'), ['conv_b', 'image']);
    assert.deepEqual(into('conv_a'), ['image']);
    assert.equal(g.edges.length, 6);
    assert.deepEqual(g.inputs, ['image']);
    assert.deepEqual(g.outputs, ['head']);
    assert.deepEqual(g.nodes.find((n) => n.id === 'skip_add')?.outputShape, [null, 8, 8, 4]);
    assert.equal(g.nodes.find((n) => n.id === 'conv_a')?.params, 3 * 3 * 4 * 4 + 4);
  });

  it('draws a nested model as one node', () => {
    const inner = residualBlock();
    const outer = new Sequential({ name: 'outer', layers: [inner, L.dense({ units: 2, name: 'extra' })] });
    const g = modelGraph(outer);
    assert.deepEqual(g.nodes.map((n) => n.className), ['InputLayer', 'Functional', 'Dense']);
    const nested = g.nodes[1];
    assert.equal(nested.name, 'residual');
    assert.equal(nested.params, inner.countParams());
    assert.deepEqual(nested.outputShape, [null, 3]);
    assert.equal(g.edges.length, 2);

    const x = Input({ shape: [8, 8, 4], name: 'outer_in' });
    const functionalOuter = new Model({ inputs: x, outputs: L.dense({ units: 2, name: 'extra2' }).apply(inner.apply(x)) });
    const g2 = modelGraph(functionalOuter);
    assert.deepEqual(g2.nodes.map((n) => n.id), ['outer_in', 'residual', 'extra2']);
    assert.deepEqual(g2.edges, [['outer_in', 'residual'], ['residual', 'extra2']]);
  });

  it('draws a subclassed model as the chain of layers in call order, and refuses an unbuilt one', () => {
    class Backwards extends Model {
      // Declared in the opposite order to the calls: the graph must follow call().
      head = L.dense({ units: 3, name: 'sub_head' });
      flat = L.flatten({ name: 'sub_flat' });
      conv = L.conv2d({ filters: 2, kernelSize: 3, name: 'sub_conv' });
      unused = L.dense({ units: 7, name: 'sub_unused' });
      override call(x: Tensor): Tensor {
        return this.head.apply(this.flat.apply(this.conv.apply(x)));
      }
    }
    const m = new Backwards();
    assert.throws(() => modelGraph(m), (e: Error) => e instanceof ValueError && /build/.test(e.message));
    m.build([null, 6, 6, 1]);
    const g = modelGraph(m);
    assert.deepEqual(g.nodes.map((n) => n.name), ['input_layer', 'sub_conv', 'sub_flat', 'sub_head']);
    assert.deepEqual(g.nodes.map((n) => n.outputShape), [[null, 6, 6, 1], [null, 4, 4, 2], [null, 32], [null, 3]]);
    assert.deepEqual(g.edges, [['input_layer', 'sub_conv'], ['sub_conv', 'sub_flat'], ['sub_flat', 'sub_head']]);
    assert.deepEqual(g.outputs, ['sub_head']);
    assert.equal(g.className, 'Backwards');
  });
});
