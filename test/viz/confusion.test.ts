import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError } from '../../src/errors.js';
import { colormap } from '../../src/viz/colormap.js';
import {
  confusionFigure, confusionLayout, confusionMatrix, confusionTable, normalizeMatrix, overallAccuracy, perClassAccuracy,
} from '../../src/viz/confusion.js';

// Hand example: class 0 once right, once taken for 1; class 1 right; class 2 twice right, once taken for 0.
const yTrue = [0, 0, 1, 2, 2, 2];
const yPred = [0, 1, 1, 2, 0, 2];

describe('confusionMatrix', () => {
  it('counts true rows against predicted columns, as sklearn', () => {
    const m = confusionMatrix(yTrue, yPred, 3);
    assert.deepEqual(m, [[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
    assert.deepEqual(perClassAccuracy(m), [0.5, 1, 2 / 3]);
    assert.equal(overallAccuracy(m), 4 / 6);
    // A class with no samples has no accuracy.
    assert.ok(Number.isNaN(perClassAccuracy(confusionMatrix([0], [0], 2))[1]));
    assert.deepEqual(normalizeMatrix(m, 'true')[0], [0.5, 0.5, 0]);
    assert.deepEqual(normalizeMatrix(m, 'pred').map((r) => r[0]), [0.5, 0, 0.5]);
  });

  it('refuses labels outside the classes and mismatched lengths', () => {
    assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), (e: Error) => e instanceof ValueError && /yTrue\[1\] = 3/.test(e.message));
    assert.throws(() => confusionMatrix([0], [0, 1], 3), ValueError);
    assert.throws(() => confusionMatrix([0.5], [0], 3), ValueError);
  });

  it('prints a table with per-class accuracy and the overall accuracy', () => {
    const text = confusionTable(confusionMatrix(yTrue, yPred, 3), ['cat', 'dog', 'bird']);
    const lines = text.split('\n');
    assert.match(lines[0], /true \\ predicted\s+cat\s+dog\s+bird \| samples\s+accuracy/);
    assert.match(text, /^cat\s+1\s+1\s+0 \|\s+2\s+50\.00%$/m);
    assert.match(text, /^bird\s+1\s+0\s+2 \|\s+3\s+66\.67%$/m);
    assert.match(lines[lines.length - 1], /overall accuracy: 66\.67% \(4 \/ 6\)/);
    // Long names: columns by index, rows "index: name".
    assert.match(confusionTable([[1, 0], [0, 1]], ['T-shirt/top', 'Trouser']), /^0: T-shirt\/top\s+1\s+0/m);
  });
});

describe('confusionFigure', () => {
  it('paints the largest count with the top of the colour map and 0 with its bottom, at the computed cells', async () => {
    const m = confusionMatrix(yTrue, yPred, 3);
    const layout = confusionLayout(m, ['a', 'b', 'c']);
    const fig = confusionFigure(m, ['a', 'b', 'c']);
    assert.equal(fig.width, layout.width);
    assert.equal(fig.height, layout.height);
    const raster = await fig.toRaster();
    // A pixel near a cell's top-left corner, clear of the number written in its middle.
    const cellPixel = (t: number, p: number) => {
      const i = ((layout.y0 + t * layout.cell + 3) * raster.width + layout.x0 + p * layout.cell + 3) * 4;
      return [...raster.data.subarray(i, i + 3)];
    };
    const viridis = colormap('viridis');
    assert.deepEqual(cellPixel(2, 2), viridis(1));
    assert.deepEqual(cellPixel(0, 2), viridis(0));
    assert.deepEqual(cellPixel(0, 0), viridis(0.5));
    const svg = fig.toSVG();
    for (const label of ['True label', 'Predicted label', 'Confusion matrix']) assert.ok(svg.includes(`aria-label="${label}"`), label);
    // The count 2 is written in the contrasting colour of the map's bottom (dark on the bright cell).
    const [r, g, b] = viridis(0);
    assert.ok(svg.includes(`stroke="rgb(${r},${g},${b})" stroke-width`));
  });

  it('normalizes rows on request, with fractions in the cells', () => {
    const m = confusionMatrix(yTrue, yPred, 3);
    const layout = confusionLayout(m, undefined, { normalize: true });
    assert.equal(layout.vmax, 1);
    assert.deepEqual(layout.values[1], [0, 1, 0]);
    assert.ok(confusionFigure(m, undefined, { normalize: true }).toSVG().includes('aria-label="0.67"'));
    assert.throws(() => confusionFigure(m, ['only one']), ValueError);
  });
});
