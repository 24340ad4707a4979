import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError } from '../../src/errors.js';
import { curvesFigure, curvesLayout, parseHistory, readHistoryFile, TRAIN_COLOR, VALIDATION_COLOR } from '../../src/viz/curves.js';
import { dataLimits, niceStep, niceTicks } from '../../src/viz/plot_axes.js';
import type { Raster } from '../../src/viz/figure.js';

const history = {
  epoch: [0, 1, 2, 3],
  history: {
    accuracy: [0.5, 0.7, 0.7, 0.9],
    loss: [2.0, 1.0, 1.0, 0.4],
    val_accuracy: [0.55, 0.6, 0.62, 0.66],
    val_loss: [1.8, 1.6, 1.5, 1.45],
  },
  test: { loss: 0.5, accuracy: 0.88 },
  options: { epochs: 4 },
};

function rgbAt(r: Raster, x: number, y: number): number[] {
  const i = (Math.floor(y) * r.width + Math.floor(x)) * 4;
  return [...r.data.subarray(i, i + 3)];
}

function hex(c: string): number[] {
  return [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16));
}

function near(a: number[], b: number[], tol: number): boolean {
  return a.every((v, i) => Math.abs(v - b[i]) <= tol);
}

describe('plot axes', () => {
  it('picks 1-2-5 steps and ticks inside the limits', () => {
    assert.equal(niceStep(1, 6), 0.2);
    assert.equal(niceStep(10, 6), 2);
    assert.equal(niceStep(0.07, 8), 0.01);
    assert.deepEqual(niceTicks(0, 1, 6), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0.13, 0.67, 6), [0.2, 0.4, 0.6]);
    assert.deepEqual(niceTicks(0.13, 0.67, 9), [0.2, 0.3, 0.4, 0.5, 0.6]);
    assert.deepEqual(niceTicks(-0.5, 0.5, 8, 1), [0]);
    const [lo, hi] = dataLimits([1, 3]);
    assert.ok(Math.abs(lo - 0.9) < 1e-12 && Math.abs(hi - 3.1) < 1e-12);
  });
});

describe('curvesFigure', () => {
  it('has the seeds\' 12x4 inches at 100 dpi for loss and accuracy, loss on the left', () => {
    const fig = curvesFigure(history);
    assert.equal(fig.width, 1200);
    assert.equal(fig.height, 400);
    const layout = curvesLayout(parseHistory(history));
    assert.deepEqual(layout.panels.map((p) => p.metric), ['loss', 'accuracy']);
    assert.deepEqual(layout.panels[0].series.map((s) => s.key), ['loss', 'val_loss']);
    assert.ok(layout.panels[1].plot.x > layout.panels[0].plot.x + layout.panels[0].plot.width);
    const svg = fig.toSVG();
    for (const label of ['Epochs', 'Loss', 'accuracy', 'val_loss', 'val_accuracy']) assert.ok(svg.includes(`aria-label="${label}"`), label);
  });

  it('draws the training line in blue where the axis mapping puts it, validation in orange', async () => {
    const layout = curvesLayout(parseHistory(history));
    const loss = layout.panels[0];
    // Loss is flat (1.0) between epochs 1 and 2: the middle of that segment is on the line.
    const x = loss.xToPixel(1.5);
    const y = loss.yToPixel(1.0);
    const raster = await curvesFigure(history).toRaster();
    assert.ok(near(rgbAt(raster, x, y), hex(TRAIN_COLOR), 40), `train pixel is ${rgbAt(raster, x, y)}`);
    // Far from any line (the top-left of the plot area, above the curves' range) is background or grid.
    assert.ok(!near(rgbAt(raster, loss.plot.x + 3, loss.yToPixel(0.6)), hex(TRAIN_COLOR), 60));
    // The first validation point (epoch 0) is orange (a dash starts at the first point).
    const vx = loss.xToPixel(0) + 1;
    const vy = loss.yToPixel(1.8 - (0.2 * 1) / (loss.xToPixel(1) - loss.xToPixel(0)));
    assert.ok(near(rgbAt(raster, vx, vy), hex(VALIDATION_COLOR), 60), `validation pixel is ${rgbAt(raster, vx, vy)}`);
    // Axis mapping: the first and last epochs are inside the plot, 5 % from its sides.
    const left = loss.xToPixel(0) - loss.plot.x;
    assert.ok(Math.abs(left / loss.plot.width - 0.05 / 1.1) < 1e-9);
  });

  it('plots one series when there is no validation, and a single epoch as a dot', async () => {
    const one = { epoch: [0], history: { loss: [0.7], accuracy: [0.8] } };
    const layout = curvesLayout(parseHistory(one));
    assert.deepEqual(layout.panels.map((p) => p.series.length), [1, 1]);
    const fig = curvesFigure(one);
    assert.equal(fig.width, 1200);
    const raster = await fig.toRaster();
    const p = layout.panels[0];
    assert.ok(near(rgbAt(raster, p.xToPixel(0), p.yToPixel(0.7)), hex(TRAIN_COLOR), 40));
    assert.ok(!fig.toSVG().includes('aria-label="val_loss"'));
  });

  it('gives every other metric pair a panel', () => {
    const h = { epoch: [0, 1], history: { loss: [1, 0.5], mae: [3, 2], val_loss: [1, 1], val_mae: [3, 3], accuracy: [0.1, 0.2] } };
    const layout = curvesLayout(parseHistory(h));
    assert.deepEqual(layout.panels.map((p) => p.metric), ['loss', 'mae', 'accuracy']);
    assert.equal(layout.width, 1800);
  });

  it('leaves a gap for NaN (null in JSON) and says where', () => {
    const h = parseHistory(JSON.parse(JSON.stringify({ epoch: [0, 1, 2, 3, 4], history: { loss: [1, NaN, NaN, 0.5, 0.4], val_loss: [1, 0.9, 0.8, 0.7, Infinity] } })));
    assert.ok(Number.isNaN(h.history.loss[1]));
    const layout = curvesLayout(h);
    assert.match(layout.panels[0].note ?? '', /loss: NaN at epochs 1-2/);
    assert.match(layout.panels[0].note ?? '', /val_loss: NaN at epoch 4/);
    assert.ok(curvesFigure(h).toSVG().includes('(not drawn)'));
  });

  it('accepts Keras\'s bare history dict, and refuses malformed ones naming what is wrong', () => {
    const bare = parseHistory({ loss: [3, 2, 1], val_loss: [3, 3, 3] });
    assert.deepEqual(bare.epoch, [0, 1, 2]);
    assert.throws(() => parseHistory([1, 2]), ValueError);
    assert.throws(() => parseHistory({ epoch: [0], history: { loss: ['x'] } }), (e: Error) => e instanceof ValueError && /"loss"\[0\]/.test(e.message));
    assert.throws(() => parseHistory({ epoch: [0], history: {} }), (e: Error) => e instanceof ValueError && /no series/.test(e.message));
  });

  it('reads history files with the path in every error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-curves-'));
    const bad = join(dir, 'broken.json');
    writeFileSync(bad, '{"epoch": [0], "history": {');
    await assert.rejects(readHistoryFile(bad), (e: Error) => e instanceof ValueError && e.message.includes(bad) && /not valid JSON/.test(e.message));
    await assert.rejects(readHistoryFile(join(dir, 'missing.json')), (e: Error) => e instanceof ValueError && /not found/.test(e.message));
    const good = join(dir, 'history.json');
    writeFileSync(good, JSON.stringify(history));
    assert.deepEqual((await readHistoryFile(good)).history.loss, history.history.loss);
  });
});
