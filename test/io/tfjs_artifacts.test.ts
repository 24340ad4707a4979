/**
 * Decoding tfjs weight data: float32 and int32 as stored, uint8/uint16 affine quantization
 * (value = q·scale + min) and float16 as tensorflowjs_converter --quantize_* writes them, and clear
 * errors for shards that are short, long, or of a dtype convkit does not read.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { FormatError } from '../../src/errors.js';
import { decodeWeights, type WeightSpec } from '../../src/io/tfjs/artifacts.js';

function bytesOf(...parts: ArrayBufferView[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), off);
    off += p.byteLength;
  }
  return out;
}

describe('tfjs weight decoding', () => {
  it('reads float32, int32, uint8/uint16-quantized and float16 weights back to back', () => {
    const specs: WeightSpec[] = [
      { name: 'a', shape: [2], dtype: 'float32' },
      { name: 'b', shape: [2], dtype: 'int32' },
      { name: 'c', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.5 } },
      { name: 'd', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', min: 2, scale: 0.25 } },
      { name: 'e', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
    ];
    // float16 bit patterns: 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800
    const data = bytesOf(Float32Array.from([1.5, -2]), Int32Array.from([7, -3]), Uint8Array.from([0, 2, 255]), Uint16Array.from([4, 1000]), Uint16Array.from([0x3c00, 0xc000, 0x3800]));
    const w = decodeWeights(specs, data, 'test');
    assert.deepEqual(Array.from(w.get('a')!.data), [1.5, -2]);
    assert.deepEqual(Array.from(w.get('b')!.data), [7, -3]);
    assert.deepEqual(Array.from(w.get('c')!.data), [-1, 0, 126.5]);
    assert.deepEqual(Array.from(w.get('d')!.data), [3, 252]);
    assert.deepEqual(Array.from(w.get('e')!.data), [1, -2, 0.5]);
  });

  it('short or long shards and unknown dtypes are format errors naming the weight', () => {
    const spec: WeightSpec[] = [{ name: 'k', shape: [4], dtype: 'float32' }];
    assert.throws(() => decodeWeights(spec, new Uint8Array(12), 'src'), (e: Error) => e instanceof FormatError && /hold 12 bytes but the manifest needs 16 by weight "k"/.test(e.message));
    assert.throws(() => decodeWeights(spec, new Uint8Array(20), 'src'), /hold 20 bytes but the manifest describes 16/);
    assert.throws(() => decodeWeights([{ name: 'z', shape: [1], dtype: 'complex64' }], new Uint8Array(8), 'src'), /"z" has dtype complex64/);
    assert.throws(() => decodeWeights([{ name: 'n', shape: [-1], dtype: 'float32' }], new Uint8Array(0), 'src'), /malformed/);
  });
});
