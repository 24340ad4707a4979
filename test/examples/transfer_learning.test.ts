/**
 * examples/transfer-learning.ts, run through its exported main() with a small budget (1 source epoch,
 * 2 target epochs, 1 fine-tuning epoch) so it stays fast on the js backend too. The example itself uses
 * 15 / 5 / 5 epochs; see the README's "Transfer learning" section for its figures.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { main, type TransferReport } from '../../examples/transfer-learning.js';

/** Names of the weights whose values differ between two snapshots (NaN-safe, bit for bit). */
function changed(a: Map<string, Float32Array>, b: Map<string, Float32Array>): string[] {
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  return [...a].filter(([k, v]) => {
    const w = b.get(k)!;
    return v.length !== w.length || v.some((e, i) => !Object.is(e, w[i]));
  }).map(([k]) => k);
}

function live(report: TransferReport): Map<string, Float32Array> {
  return new Map(report.models.base.weights.map((v) => [v.name, Float32Array.from(v.read().dataSync())]));
}

describe('examples/transfer-learning', () => {
  let report: TransferReport;

  it('runs offline on the embedded digits: 0–4 for the source task, 500 labelled 5–9 images for the new one', async () => {
    report = await main({ seed: 42, sourceEpochs: 1, epochs: 2, fineTuneEpochs: 1, verbose: 0, log: null });
    const c = report.counts;
    assert.equal(c.targetTrain, 500);
    // The 8,000 / 2,000 embedded digits, split by label: every digit is in exactly one task.
    assert.ok(c.sourceTrain > 3500 && c.sourceTrain < 4500, `source training images: ${c.sourceTrain}`);
    assert.equal(c.sourceTest + c.targetTest, 2000);
    assert.ok(report.source.accuracy > 0.95, `source model on 0–4: ${report.source.accuracy}`);
    for (const r of [report.source, report.transfer, report.scratch, report.fineTune!]) {
      assert.ok(Number.isFinite(r.seconds) && r.seconds > 0);
    }
  });

  it('transfer beats training from scratch at the same budget by a clear margin', () => {
    const { transfer, scratch } = report;
    assert.ok(transfer.accuracy > 0.85, `transfer accuracy ${transfer.accuracy}`);
    assert.ok(transfer.accuracy - scratch.accuracy > 0.05,
      `transfer ${(100 * transfer.accuracy).toFixed(2)}% vs from scratch ${(100 * scratch.accuracy).toFixed(2)}%: expected a margin above 5 points`);
  });

  it('the frozen base is unchanged by the head training, moving statistics included', () => {
    const before = report.baseWeightsBeforeHead;
    // Every weight of the base is in the snapshot: kernels, biases, BN gamma/beta and moving statistics.
    assert.equal(before.size, report.models.base.weights.length);
    assert.ok(before.has('block1_bn/moving_mean') && before.has('block2_bn/moving_variance'), [...before.keys()].join(', '));
    assert.deepEqual(changed(before, report.baseWeightsAfterHead), []);
  });

  it('fine-tuning changes only the unfrozen block2_conv; the BN statistics stay those learned on 0–4', () => {
    assert.deepEqual(changed(report.baseWeightsAfterHead, live(report)).sort(), ['block2_conv/bias', 'block2_conv/kernel']);
  });

  it("summary() counts the frozen base as non-trainable and the new head as trainable", () => {
    const s = report.transferSummary;
    // Base: conv 3·3·1·16+16 = 160, BN 4·16 = 64, conv 3·3·16·32+32 = 4,640, BN 4·32 = 128.
    assert.equal(report.baseParams, 4992);
    // Head: Dense 800→64 (51,264) and Dense 64→5 (325).
    assert.deepEqual(s, { totalParams: 56581, trainableParams: 51589, nonTrainableParams: 4992 });
    // The from-scratch twin has the same architecture; only the BN moving statistics (2·(16+32)) are non-trainable.
    const scratch = report.models.scratch.summary({ printFn: null });
    assert.deepEqual([scratch.totalParams, scratch.trainableParams, scratch.nonTrainableParams], [56581, 56485, 96]);
    // What fit() trains: the head's four variables while the base was frozen, plus block2_conv's two after unfreezing it.
    const trainable = report.models.transfer.trainableWeights.map((v) => v.name);
    assert.equal(trainable.filter((n) => n.startsWith('block')).sort().join(), 'block2_conv/bias,block2_conv/kernel');
    assert.equal(trainable.length, 6);
  });
});
