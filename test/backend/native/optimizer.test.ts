/**
 * Native in-place Adam update against the js loop. Both compute in double and round on store; the
 * native loop may fuse a multiply-add (FMA), so results agree to an ulp or two, not bit for bit.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadAddon } from '../../../src/backend/native/addon.js';
import { createNativeBackend } from '../../../src/backend/native/index.js';
import { jsBackend } from '../../../src/backend/js/index.js';
import { Random } from '../../../src/tensor/random.js';

function rnd(n: number, r: Random, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (r.uniform() * 2 - 1) * scale);
}

describe('native adamUpdate', () => {
  it('matches the js update to float rounding over several steps, for each ISA and sizes around the SIMD width', () => {
    const { addon } = loadAddon();
    assert.ok(addon, 'addon loaded');
    const native = createNativeBackend();
    const r = new Random(3);
    for (const isa of ['generic', 'avx2', 'avx512'] as const) {
      addon.setIsa(isa);
      for (const n of [1, 7, 16, 17, 1000, 70001]) {
        const w = rnd(n, r), m = rnd(n, r, 0.1), v = Float32Array.from(rnd(n, r, 0.01), Math.abs);
        const [w2, m2, v2] = [w.slice(), m.slice(), v.slice()];
        for (let step = 1; step <= 3; step++) {
          const g = rnd(n, r);
          const alpha = 0.001 * Math.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step);
          native.adamUpdate!(w, g, m, v, alpha, 0.1, 0.001, 1e-7);
          jsBackend.adamUpdate(w2, g, m2, v2, alpha, 0.1, 0.001, 1e-7);
        }
        for (const [name, a, b] of [['w', w, w2], ['m', m, m2], ['v', v, v2]] as const) {
          let worst = 0;
          let scale = 1e-30;
          for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(b[i]));
          for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
          assert.ok(worst <= 1e-6, `${isa} n=${n}: ${name} differs by ${worst} (relative)`);
        }
      }
    }
    addon.setIsa('avx512');
  });

  it('rejects mismatched lengths and wrong types without touching memory', () => {
    const { addon } = loadAddon();
    assert.ok(addon);
    const f = addon.adamUpdate as (...a: unknown[]) => void;
    const a = new Float32Array(4);
    assert.throws(() => f(a, new Float32Array(3), a, a, 1, 0.1, 0.001, 1e-7), /g has 3 elements, expected 4/);
    assert.throws(() => f(a, new Float64Array(4), a, a, 1, 0.1, 0.001, 1e-7), /g must be a Float32Array/);
    assert.throws(() => f(a, a, a, a, 1, 0.1, 0.001), /expects 8 arguments/);
  });
});
