/**
 * Kernel output storage: 64-byte aligned (a vector load or store never straddles two cache lines),
 * and alignmentOffset, the addon function that makes that possible, rejects bad arguments.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadAddon } from '../../../src/backend/native/addon.js';
import { allocOutput } from '../../../src/backend/native/alloc.js';
import { createNativeBackend } from '../../../src/backend/native/index.js';

const { addon } = loadAddon();

describe('native output storage', { skip: addon ? false : 'native addon not built' }, () => {
  const offsetOf = addon?.alignmentOffset as (b: ArrayBuffer) => number;

  it('uninitialised outputs start on a 64-byte boundary, whatever malloc returned', () => {
    createNativeBackend();  // installs the alignment probe
    for (const n of [1024, 1025, 4099, 100_003, 1 << 20, 9_000_001]) {
      for (let i = 0; i < 4; i++) {
        const out = allocOutput(n, false);
        assert.equal(out.length, n);
        assert.equal((offsetOf(out.buffer as ArrayBuffer) + out.byteOffset) % 64, 0, `n=${n}`);
      }
    }
    const be = createNativeBackend();
    const y = be.unary?.('exp', new Float32Array(50_000).fill(0)) as Float32Array;
    assert.equal((offsetOf(y.buffer as ArrayBuffer) + y.byteOffset) % 64, 0);
    assert.equal(y[49_999], 1);
  });

  it('alignmentOffset: a number in 0..63 for an ArrayBuffer, a TypeError for anything else', () => {
    const r = offsetOf(new ArrayBuffer(100));
    assert.ok(Number.isInteger(r) && r >= 0 && r < 64);
    for (const bad of [[], [new Float32Array(4)], [{}], [new ArrayBuffer(4), 1]] as unknown[][]) {
      assert.throws(() => (offsetOf as (...a: unknown[]) => number)(...bad), TypeError);
    }
  });
});
