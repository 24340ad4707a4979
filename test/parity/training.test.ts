/**
 * Training parity with TensorFlow.js 4.22 (cpu backend): the seed 000 CIFAR-10 Sequential CNN
 * (`seedCifarCnn()`, 122,570 parameters) and the same tfjs Sequential model start from identical
 * weights (convkit's glorot init copied into tfjs), see identical fixed batches (16 random 32×32×3
 * images in [0, 1) with integer labels) and take 20 `trainOnBatch` steps with
 *  - SGD, learning rate 0.01, and separately
 *  - Adam with Keras's defaults (lr 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7),
 * under sparse categorical cross-entropy with the accuracy metric.
 *
 * Asserted: every step's loss agrees within 1e-4 absolute (and the batch accuracy exactly), and the
 * final weights agree loosely (see WEIGHT_TOL). Known, deliberate differences that stay far below
 * these tolerances:
 *  - Adam's ε: Keras/convkit add ε to √v, tfjs to the bias-corrected √v̂ (test/optimizers/tfjs.test.ts);
 *  - tfjs computes cross-entropy from clipped probabilities, convkit (like Keras) from the logits
 *    behind the softmax;
 *  - float32 summation order. Adam turns tiny gradients (≈ rounding noise, e.g. of almost-dead ReLU
 *    units) into ±lr-sized steps, so its weights drift apart faster than SGD's.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { seedCifarCnn } from '../../src/applications/seed_models.js';
import { randomUniform } from '../../src/ops/creation.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import * as optimizers from '../../src/optimizers/index.js';
import type { Sequential } from '../../src/models/sequential.js';
import { tf, initTfjs, toTf, copyModelWeights } from '../helpers/tfjs.js';

const STEPS = 20;
const BATCH = 16;
const LOSS_TOL = 1e-4;

/**
 * Final weights: ‖Δ_convkit − Δ_tfjs‖₂ / ‖Δ_tfjs‖₂ per variable, where Δ = w_final − w_initial (the
 * change training made; comparing w itself would be dominated by the shared initial values).
 */
const WEIGHT_TOL = { sgd: 1e-3, adam: 2e-2 };

interface Batch {
  x: Tensor;
  y: Tensor;
}

function makeBatches(): Batch[] {
  const r = new Random(2024);
  return Array.from({ length: STEPS }, (_, i) => ({
    x: randomUniform([BATCH, 32, 32, 3], 0, 1, { seed: 1000 + i }),
    y: new Tensor(Float32Array.from({ length: BATCH }, () => r.int(10)), [BATCH]),
  }));
}

function tfSeedCifarCnn(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ filters: 32, kernelSize: [3, 3], activation: 'relu', inputShape: [32, 32, 3] }));
  m.add(tf.layers.maxPooling2d({ poolSize: [2, 2] }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: [3, 3], activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: [2, 2] }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: [3, 3], activation: 'relu' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

interface Run {
  ckLoss: number[];
  tfLoss: number[];
  ckAcc: number[];
  tfAcc: number[];
  initial: Tensor[];
  ck: Sequential;
  tfm: tf.Sequential;
}

async function train(kind: 'sgd' | 'adam', batches: Batch[]): Promise<Run> {
  const ck = seedCifarCnn();
  ck.compile({
    optimizer: kind === 'sgd' ? optimizers.sgd({ learningRate: 0.01 }) : optimizers.adam({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }),
    loss: 'sparse_categorical_crossentropy',
    metrics: ['accuracy'],
  });
  const tfm = tfSeedCifarCnn();
  tfm.compile({
    optimizer: kind === 'sgd' ? tf.train.sgd(0.01) : tf.train.adam(0.001, 0.9, 0.999, 1e-7),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  assert.equal(ck.countParams(), 122570, 'convkit seed 000 parameter count');
  assert.equal(tfm.countParams(), 122570, 'tfjs model parameter count');
  copyModelWeights(ck, tfm);
  const initial = ck.getWeights();
  const run: Run = { ckLoss: [], tfLoss: [], ckAcc: [], tfAcc: [], initial, ck, tfm };
  for (const b of batches) {
    const [loss, acc] = ck.trainOnBatch(b.x, b.y);
    run.ckLoss.push(loss);
    run.ckAcc.push(acc);
    const tx = toTf(b.x);
    const ty = toTf(b.y).reshape([BATCH, 1]);
    const out = await tfm.trainOnBatch(tx, ty) as number[];
    run.tfLoss.push(out[0]);
    run.tfAcc.push(out[1]);
    tf.dispose([tx, ty]);
  }
  return run;
}

function l2(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

function checkRun(kind: 'sgd' | 'adam', run: Run): void {
  const table = run.ckLoss.map((l, i) => `step ${String(i + 1).padStart(2)}: convkit ${l.toFixed(7)} tfjs ${run.tfLoss[i].toFixed(7)} |Δ| ${Math.abs(l - run.tfLoss[i]).toExponential(2)}`).join('\n');
  run.ckLoss.forEach((l, i) => {
    assert.ok(Number.isFinite(l), `${kind} step ${i + 1}: convkit loss ${l}`);
    assert.ok(Math.abs(l - run.tfLoss[i]) <= LOSS_TOL, `${kind} step ${i + 1}: loss convkit ${l} vs tfjs ${run.tfLoss[i]} (|Δ| ${Math.abs(l - run.tfLoss[i]).toExponential(3)} > ${LOSS_TOL})\n${table}`);
  });
  assert.deepEqual(run.ckAcc, run.tfAcc, `${kind}: per-step batch accuracy`);
  // The losses must actually have moved (a model that does not train would trivially agree less
  // often, but guard the premise): the first and last batch differ, and the weights changed.
  const names = run.ck.weights.map((w) => w.name);
  const ckW = run.ck.getWeights();
  const tfW = run.tfm.getWeights();
  assert.equal(ckW.length, tfW.length);
  ckW.forEach((w, i) => {
    const t = tfW[i].dataSync();
    const w0 = run.initial[i].values;
    const dCk = Float64Array.from(w.values, (v, j) => v - w0[j]);
    const dTf = Float64Array.from(t, (v, j) => v - w0[j]);
    const diff = Float64Array.from(dCk, (v, j) => v - dTf[j]);
    const nTf = l2(dTf);
    assert.ok(nTf > 0, `${kind}: tfjs did not change ${names[i]}`);
    const rel = l2(diff) / nTf;
    assert.ok(rel <= WEIGHT_TOL[kind], `${kind}: final ${names[i]}: ‖Δconvkit − Δtfjs‖/‖Δtfjs‖ = ${rel.toExponential(3)} > ${WEIGHT_TOL[kind]} (‖Δtfjs‖ ${nTf.toExponential(3)}, ‖Δconvkit‖ ${l2(dCk).toExponential(3)})`);
    if (process.env.PARITY_DEBUG) console.log(`DBG ${kind} ${names[i]} rel ${rel.toExponential(2)}`);
  });
  if (process.env.PARITY_DEBUG) console.log(`DBG ${kind}\n${table}`);
}

describe('training parity with tfjs: seed 000 CIFAR CNN, 20 trainOnBatch steps, batch 16', () => {
  let batches: Batch[];
  before(async () => {
    await initTfjs();
    batches = makeBatches();
  });

  it('SGD lr 0.01: per-step loss within 1e-4, final weights close', async () => {
    checkRun('sgd', await train('sgd', batches));
  });

  it('Adam (Keras defaults): per-step loss within 1e-4, final weights close', async () => {
    checkRun('adam', await train('adam', batches));
  });
});
