import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend, listBackends, registerBackend, setBackend } from '../../src/backend/registry.js';
import { jsBackend } from '../../src/backend/js/index.js';
import * as ops from '../../src/ops/index.js';
import { createNativeBackend } from '../../src/backend/native/index.js';
import { loadAddon } from '../../src/backend/native/addon.js';

describe('backend registry', () => {
  const initial = getBackend().name;
  after(() => setBackend(initial));

  it('CONVKIT_BACKEND picks the backend (native when unset and the addon loads); unknown names list the valid ones', () => {
    const wanted = process.env.CONVKIT_BACKEND;
    const expected = wanted || (loadAddon().addon ? 'native' : 'js');
    assert.equal(initial, expected);
    assert.throws(() => setBackend('cuda'), /Unknown backend "cuda"\. Valid backends: js, native/);
  });

  it('the native backend implements every kernel of the Backend interface (no js fallback)', () => {
    const native = createNativeBackend();
    const missing = (Object.keys(jsBackend) as (keyof typeof jsBackend)[]).filter((k) => k !== 'name' && typeof native[k] !== 'function');
    assert.deepEqual(missing, [], `native kernels missing: ${missing.join(', ')}`);
  });

  it('a partial backend runs its own kernels and falls back to js for the rest, warning once per kernel', () => {
    let matmulCalls = 0;
    registerBackend('partial', () => ({
      name: 'partial',
      matmul: (...args: Parameters<typeof jsBackend.matmul>) => { matmulCalls++; return jsBackend.matmul(...args); },
    }));
    assert.ok(listBackends().includes('partial'));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    setBackend('partial');
    const a = ops.tensor([[1, 2], [3, 4]]);
    const y = ops.relu(ops.sub(ops.matMul(a, a), 10));
    ops.relu(ops.sub(ops.matMul(a, a), 10));
    setBackend(initial);
    return new Promise<void>((resolve) => setImmediate(() => {
      process.off('warning', onWarning);
      assert.deepEqual(y.toArray(), [[0, 0], [5, 12]]);
      assert.equal(matmulCalls, 2);
      const unary = warnings.filter((m) => /backend 'partial' has no 'unary' kernel; using the js kernel/.test(m));
      assert.equal(unary.length, 1, `one warning for unary: ${warnings.join(' | ')}`);
      assert.ok(!warnings.some((m) => /'matmul'/.test(m)));
      resolve();
    }));
  });
});
