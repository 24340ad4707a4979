/**
 * Kernel recording and replay (src/backend/kernel_tape.ts) with stand-in kernels, and the native
 * backend's refusal of recordings during which JavaScript computed (src/backend/native/recording.ts).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { KernelRecorder } from '../../src/backend/kernel_tape.js';
import { getBackend, registerBackend, setBackend } from '../../src/backend/registry.js';
import * as ops from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** Stand-in kernels: out = 2·x (+ the scratch's first entry); acc accumulates; answer returns a number. */
function kernels() {
  return {
    double: (x: Float32Array, out: Float32Array, s: Int32Array) => { for (let i = 0; i < x.length; i++) out[i] = 2 * x[i] + s[0]; },
    sum: (xs: Float32Array[], out: Float32Array) => { out.fill(0); for (const x of xs) for (let i = 0; i < x.length; i++) out[i] += x[i]; },
    acc: (x: Float32Array, out: Float32Array) => { for (let i = 0; i < x.length; i++) out[i] += x[i]; },
    answer: (x: Float32Array) => (x[0] > 0 ? 1 : 0),
    fresh: (x: Float32Array) => x.slice(),
    query: () => 42,
  };
}

describe('KernelRecorder / KernelTape', () => {
  it('replays with the input and output swapped, copies scratch arguments, looks inside array arguments', () => {
    const rec = new KernelRecorder();
    const scratch = new Int32Array(1);
    const k = rec.wrap(kernels(), new Set(['query']), new Set([scratch]));
    const x = Float32Array.from([1, 2]), mid = new Float32Array(2), out = new Float32Array(2);
    assert.ok(rec.start());
    rec.noteAllocation(mid, false);
    rec.noteAllocation(out, false);
    scratch[0] = 10;
    k.double(x, mid, scratch);
    scratch[0] = -99;  // refilled for another call: the log must hold the value at the call
    k.sum([mid, x], out);
    assert.equal(k.query(), 42);
    const tape = rec.stop();
    assert.ok(tape);
    assert.equal(tape.length, 2, 'query() is not a kernel');
    assert.deepEqual([...out], [13, 16]);
    const replay = tape.compile([x, out]);
    const x2 = Float32Array.from([5, 6]), out2 = new Float32Array(2);
    assert.equal(replay([x2, out2]), true);
    assert.deepEqual([...out2], [25, 28]);
    assert.deepEqual([...out], [13, 16], 'the recorded output is not written again');
  });

  it('zero-fills an accumulating output before each replay; a changed primitive result stops the replay', () => {
    const rec = new KernelRecorder();
    const k = rec.wrap(kernels(), new Set(), new Set());
    const x = Float32Array.from([1, 2]), acc = new Float32Array(2), out = new Float32Array(2);
    rec.start();
    rec.noteAllocation(acc, true);
    k.acc(x, acc);
    k.answer(x);
    k.double(acc, out, new Int32Array(1));
    const tape = rec.stop();
    assert.ok(tape);
    const replay = tape.compile([x, out]);
    for (let i = 0; i < 3; i++) {
      const o = new Float32Array(2);
      assert.equal(replay([x, o]), true);
      assert.deepEqual([...o], [2, 4], `replay ${i} starts from zeros`);
    }
    assert.equal(replay([Float32Array.from([-1, 0]), new Float32Array(2)]), false, 'answer() changed');
  });

  it('a kernel returning an array it allocated, a taint, or a nested start() leaves no tape', () => {
    const rec = new KernelRecorder();
    const k = rec.wrap(kernels(), new Set(), new Set());
    rec.start();
    k.fresh(new Float32Array(1));
    assert.equal(rec.stop(), null);
    rec.start();
    rec.taint('js work');
    assert.equal(rec.taintReason, 'js work');
    assert.equal(rec.stop(), null);
    rec.start();
    assert.equal(rec.start(), false);
    assert.equal(rec.stop(), null);
    assert.equal(rec.active, false);
  });
});

describe('backends taint a recording when JavaScript computes', () => {
  const initial = getBackend().name;
  after(() => setBackend(initial));

  it('native: float32 kernels are recorded, a float64 op (js kernel) taints', { skip: getBackend().recording === undefined }, () => {
    const rec = getBackend().recording as KernelRecorder;
    const x = new Tensor(Float32Array.from({ length: 2048 }, (_, i) => i - 1000), [2048]);
    assert.ok(rec.start());
    const y = ops.relu(ops.mul(x, 2));
    const tape = rec.stop();
    assert.ok(tape && tape.length >= 2);
    assert.ok(tape.allocated.has(y.values as Float32Array), 'the output was allocated while recording');
    rec.start();
    ops.relu(new Tensor(Float64Array.from([1, -1]), [2]));
    assert.match(String(rec.taintReason), /js kernel/);
    assert.equal(rec.stop(), null);
  });

  it('a partial backend falling back to a js kernel taints its recording', () => {
    const rec = new KernelRecorder();
    registerBackend('recorded-partial', () => ({ name: 'recorded-partial', recording: rec }));
    setBackend('recorded-partial');
    try {
      assert.equal(getBackend().recording, rec);
      rec.start();
      ops.relu(ops.tensor([1, -2]));
      assert.match(String(rec.taintReason), /js kernel/);
      assert.equal(rec.stop(), null);
    } finally {
      setBackend(initial);
    }
  });
});
