/** The native thread pool: resizing never deadlocks, and results do not depend on the thread count. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { loadAddon, type NativeAddon } from '../../../src/backend/native/addon.js';

type Matmul = (a: Float32Array, b: Float32Array, out: Float32Array, batch: number, m: number, k: number, n: number, ta: boolean, tb: boolean, bb: number) => void;

describe('native thread pool', () => {
  it('survives rapid resizes, including before any work ran (a worker that starts late must still see the stop)', () => {
    const { path } = loadAddon();
    assert.ok(path, 'addon loaded');
    const script = `const a = require(${JSON.stringify(path)});
      for (let i = 0; i < 300; i++) a.setNumThreads(1 + (i % 4));
      const x = new Float32Array(64 * 64).fill(1), o = new Float32Array(64 * 64);
      for (let i = 0; i < 50; i++) { a.setNumThreads(1 + (i % 3)); a.matmul(x, x, o, 1, 64, 64, 64, false, false, 1); }
      console.log(o[0]);`;
    // A deadlock shows up as the child never exiting; 60 s is far beyond the ~0.1 s this takes.
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.signal, null, 'the child was killed by the timeout: the pool deadlocked');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '64');
  });

  it('1, 2 and 3 threads give the same matmul', () => {
    const { addon } = loadAddon();
    assert.ok(addon);
    const mm = (addon as NativeAddon).matmul as Matmul;
    const m = 300, k = 257, n = 130;
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
    const before = (addon as NativeAddon).info().threads;
    const outs = [1, 2, 3].map((t) => {
      (addon as NativeAddon).setNumThreads(t);
      const o = new Float32Array(m * n);
      mm(a, b, o, 1, m, k, n, false, false, 1);
      return o;
    });
    (addon as NativeAddon).setNumThreads(before);
    for (const o of outs.slice(1)) {
      let err = 0;
      for (let i = 0; i < o.length; i++) err = Math.max(err, Math.abs(o[i] - outs[0][i]));
      assert.ok(err < 1e-3, `max difference ${err}`);
    }
  });

  it('CONVKIT_SPIN_US: workers that sleep at once (0) or spin long still run every task', () => {
    const { path } = loadAddon();
    assert.ok(path, 'addon loaded');
    const script = `const a = require(${JSON.stringify(path)});
      const x = new Float32Array(96 * 96).fill(1), o = new Float32Array(96 * 96);
      let sum = 0;
      for (let i = 0; i < 40; i++) { a.matmul(x, x, o, 1, 96, 96, 96, false, false, 1); sum += o[i] + o[96 * 96 - 1 - i]; }
      console.log(sum);`;
    for (const spin of ['0', '5000']) {
      const r = spawnSync(process.execPath, ['-e', script], {
        encoding: 'utf8', timeout: 60_000, env: { ...process.env, CONVKIT_SPIN_US: spin, CONVKIT_NUM_THREADS: '2' },
      });
      assert.equal(r.signal, null, `CONVKIT_SPIN_US=${spin}: the child hung`);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), String(40 * 2 * 96), `CONVKIT_SPIN_US=${spin}`);
    }
  });
});
