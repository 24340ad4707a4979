/** The dataset file formats: .npy/.npz, IDX, tar, gzip bounds and the restricted pickle reader. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';

import { FormatError } from '../../src/errors.js';
import { parseNpy } from '../../src/data/formats/npy.js';
import { readNpz } from '../../src/data/formats/npz.js';
import { parseIdx } from '../../src/data/formats/idx.js';
import { readTar } from '../../src/data/formats/tar.js';
import { gunzipBounded } from '../../src/data/formats/gunzip.js';
import { NdArray, PyDict, readPickle } from '../../src/data/formats/pickle.js';
import { cifarBatchPickle, idxGz, npy, npz, tar } from './dataset_writers.js';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const nums = (d: ArrayLike<number> | ArrayLike<bigint>) => Array.from(d as ArrayLike<number>, Number);
const ungz = (b: Uint8Array) => new Uint8Array(gunzipSync(b));
const rejects = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof FormatError && re.test(e.message));

describe('npy', () => {
  it('reads versions 1, 2 and 3 with uint8, int64, int32 and float32 data', () => {
    for (const v of [1, 2, 3] as const) {
      const a = parseNpy(npy('|u1', [2, 3], Uint8Array.of(1, 2, 3, 4, 5, 255), v), 'a.npy');
      assert.deepEqual(a.shape, [2, 3]);
      assert.equal(a.descr, '|u1');
      assert.deepEqual(nums(a.data), [1, 2, 3, 4, 5, 255]);
    }
    const i8 = parseNpy(npy('<i8', [3], bytesOf(BigInt64Array.of(7n, -1n, 60000n))), 'y.npy');
    assert.deepEqual(Array.from(i8.data as BigInt64Array), [7n, -1n, 60000n]);
    const i4 = parseNpy(npy('<i4', [2], bytesOf(Int32Array.of(-5, 9))), 'y.npy');
    assert.deepEqual(nums(i4.data), [-5, 9]);
    const f4 = parseNpy(npy('<f4', [2, 1], bytesOf(Float32Array.of(1.5, -2))), 'f.npy');
    assert.deepEqual([f4.shape, nums(f4.data)], [[2, 1], [1.5, -2]]);
    const scalar = parseNpy(npy('<u1', [], Uint8Array.of(42)), 's.npy');
    assert.deepEqual([scalar.shape, nums(scalar.data)], [[], [42]]);
  });

  it('reads an odd-aligned multi-byte payload (decoded, not viewed)', () => {
    const file = npy('<i4', [2], bytesOf(Int32Array.of(1, 2)));
    const shifted = new Uint8Array(file.length + 1).subarray(1);
    shifted.set(file);
    assert.deepEqual(nums(parseNpy(shifted, 'x.npy').data), [1, 2]);
  });

  it('rejects bad magic, versions, big-endian and unsupported dtypes, Fortran order, truncated and trailing data', () => {
    const good = npy('|u1', [4], Uint8Array.of(1, 2, 3, 4));
    const bad = good.slice();
    bad[1] = 0x58;
    rejects(() => parseNpy(bad, 'bad.npy'), /bad\.npy: .*magic/);
    const v9 = good.slice();
    v9[6] = 9;
    rejects(() => parseNpy(v9, 'v.npy'), /format version 9\.0/);
    rejects(() => parseNpy(npy('>i4', [1], Uint8Array.of(0, 0, 0, 1)), 'be.npy'), /be\.npy: .*big-endian/);
    rejects(() => parseNpy(npy('<c8', [1], new Uint8Array(8)), 'c.npy'), /unsupported dtype "<c8"/);
    rejects(() => parseNpy(npy('|O', [1], new Uint8Array(8)), 'o.npy'), /not a plain numeric type/);
    rejects(() => parseNpy(npy('<U3', [1], new Uint8Array(12)), 'u.npy'), /"<U3" is not a plain numeric type/);
    rejects(() => parseNpy(npy('|u1', [2, 2], new Uint8Array(4), 1, true), 'f.npy'), /fortran_order is True/);
    rejects(() => parseNpy(good.subarray(0, good.length - 1), 't.npy'), /t\.npy: .*truncated data: shape \(4\) of \|u1 needs 4 bytes, the file has 3/);
    rejects(() => parseNpy(npy('|u1', [4], new Uint8Array(6)), 'x.npy'), /2 unexpected bytes/);
    rejects(() => parseNpy(good.subarray(0, 20), 'h.npy'), /header claims/);
    rejects(() => parseNpy(npy('<i8', [1e15, 1e15], new Uint8Array(8)), 'big.npy'), /too large|truncated/);
  });

  it('rejects a header that is not numpy\'s dict', () => {
    const enc = new TextEncoder();
    const make = (h: string) => {
      const pre = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length, 0);
      const out = new Uint8Array(pre.length + h.length);
      out.set(pre);
      out.set(enc.encode(h), pre.length);
      return out;
    };
    rejects(() => parseNpy(make("{'descr': '|u1', 'shape': (0,), }"), 'k.npy'), /keys \{descr,shape\}/);
    rejects(() => parseNpy(make("{'descr': '|u1', 'fortran_order': False, 'shape': (-1,), }"), 's.npy'), /cannot read the header|bad dimension/);
    rejects(() => parseNpy(make("__import__('os')"), 'e.npy'), /not a dict literal/);
  });
});

describe('npz', () => {
  it('reads the members of a compressed and a stored archive, and names a missing one', () => {
    for (const compressed of [true, false]) {
      const z = npz({ x: npy('|u1', [2], Uint8Array.of(9, 8)), y: npy('<i8', [1], bytesOf(BigInt64Array.of(3n))) }, compressed);
      const m = readNpz(z, 'd.npz');
      assert.deepEqual(nums(m.get('x')!.data), [9, 8]);
      assert.deepEqual(Array.from(m.get('y')!.data as BigInt64Array), [3n]);
    }
    const z = npz({ x: npy('|u1', [1], Uint8Array.of(1)) });
    rejects(() => readNpz(z, 'd.npz', { only: ['x', 'y_test'] }), /d\.npz: the \.npz archive lacks y_test/);
    rejects(() => readNpz(Uint8Array.of(1, 2, 3, 4), 'n.npz'), /not an \.npz file/);
    rejects(() => readNpz(z, 'd.npz', { maxMemberBytes: 10 }), /more than the 10-byte limit/);
  });
});

describe('idx', () => {
  it('reads labels (0x00000801) and images (0x00000803)', () => {
    const labels = parseIdx(ungz(idxGz([3], Uint8Array.of(1, 2, 3))), 'l', 1);
    assert.deepEqual([labels.shape, nums(labels.data)], [[3], [1, 2, 3]]);
    const img = parseIdx(ungz(idxGz([1, 2, 2], Uint8Array.of(0, 50, 100, 255))), 'i', 3);
    assert.deepEqual([img.shape, nums(img.data)], [[1, 2, 2], [0, 50, 100, 255]]);
  });

  it('rejects a bad magic, a wrong dimension count or type, and truncated data', () => {
    const f = ungz(idxGz([2, 2, 2], new Uint8Array(8)));
    const bad = f.slice();
    bad[0] = 0x1f;
    rejects(() => parseIdx(bad, 'x.idx', 3), /x\.idx: .*bad magic 0x1f000803/);
    rejects(() => parseIdx(f, 'x.idx', 1), /says 3 dimensions, expected 1/);
    const int = f.slice();
    int[2] = 0x0c;
    rejects(() => parseIdx(int, 'x.idx', 3), /element type 0xc \(int\)/);
    rejects(() => parseIdx(f.subarray(0, f.length - 1), 'x.idx', 3), /truncated data: shape \(2, 2, 2\) needs 8 bytes, the file has 7/);
    rejects(() => parseIdx(f.subarray(0, 10), 'x.idx', 3), /header .* truncated/);
  });
});

describe('gunzipBounded', () => {
  it('inflates, and refuses output beyond the bound (a gzip bomb) or a non-gzip file', async () => {
    const data = new Uint8Array(1 << 20);
    const z = new Uint8Array(gzipSync(data));
    assert.equal((await gunzipBounded(z, 'ok.gz', 2 << 20)).length, 1 << 20);
    await assert.rejects(gunzipBounded(z, 'bomb.gz', 1000), (e: unknown) => e instanceof FormatError && /bomb\.gz: decompresses to more than 1000 bytes/.test(e.message));
    await assert.rejects(gunzipBounded(Uint8Array.of(1, 2, 3), 'n.gz', 10), /not a gzip file/);
    await assert.rejects(gunzipBounded(z.subarray(0, 40), 'cut.gz', 2 << 20), /cut\.gz: corrupt gzip data/);
  });
});

describe('tar', () => {
  const enc = new TextEncoder();
  it('lists regular files with their bytes, skipping directories', () => {
    const t = tar([{ name: 'd/a', data: enc.encode('hello') }, { name: 'd/b', data: new Uint8Array(600).fill(7) }], 'd');
    const e = readTar(t, 'x.tar');
    assert.deepEqual(e.map((m) => [m.name, m.data.length]), [['d/a', 5], ['d/b', 600]]);
    assert.equal(new TextDecoder().decode(e[0].data), 'hello');
    assert.ok(e[1].data.every((b) => b === 7));
  });

  it('rejects a bad checksum and a truncated member', () => {
    const t = tar([{ name: 'a', data: new Uint8Array(1000) }]);
    const bad = t.slice();
    bad[0] = 0x62;
    rejects(() => readTar(bad, 'x.tar'), /x\.tar: .*checksum mismatch at byte 0/);
    rejects(() => readTar(t.subarray(0, 900), 'x.tar'), /claims 1000 bytes but only 388 remain/);
  });
});

describe('pickle', () => {
  it('reads a CIFAR batch dict as pickle.load(encoding="bytes") does', () => {
    const data = Uint8Array.from({ length: 2 * 3072 }, (_, i) => i % 251);
    const d = readPickle(cifarBatchPickle({ data, n: 2, labels: { labels: [4, 0] }, batchLabel: 'testing batch 1 of 1' }), 'b');
    assert.ok(d instanceof PyDict);
    assert.deepEqual(d.keys(), ['data', 'labels', 'batch_label']);
    const a = d.get('data');
    assert.ok(a instanceof NdArray);
    assert.deepEqual([a.dtype, a.shape, a.fortranOrder], ['u1', [2, 3072], false]);
    assert.deepEqual(a.data, data);
    assert.deepEqual(d.get('labels'), [4, 0]);
    assert.equal(String(d.get('batch_label')), 'testing batch 1 of 1');
  });

  it('reads lists longer than one APPENDS batch, and memo references', () => {
    const labels = Array.from({ length: 2500 }, (_, i) => i % 100);
    const d = readPickle(cifarBatchPickle({ data: new Uint8Array(2500 * 3072), n: 2500, labels: { fine_labels: labels, coarse_labels: labels.map((l) => l % 20) } }), 'b') as PyDict;
    assert.deepEqual(d.get('fine_labels'), labels);
    // [x, x] through BINPUT / BINGET: PROTO 2, ], q0, (, K5, q1, h1, e, .
    assert.deepEqual(readPickle(Uint8Array.of(0x80, 2, 0x5d, 0x71, 0, 0x28, 0x4b, 5, 0x71, 1, 0x68, 1, 0x65, 0x2e), 'm'), [5, 5]);
  });

  it('refuses any global but NumPy\'s array reconstruction, and names it', () => {
    const evil = new TextEncoder().encode('cos\nsystem\n(S\'echo hi\'\ntR.');
    rejects(() => readPickle(evil, 'evil.pkl'), /evil\.pkl: .*refusing global os\.system/);
    const builtins = Uint8Array.from([0x80, 2, 0x63, ...new TextEncoder().encode('builtins\neval\n'), 0x2e]);
    rejects(() => readPickle(builtins, 'e.pkl'), /refusing global builtins\.eval/);
  });

  it('rejects truncated data, unknown opcodes, a stack underflow and a missing STOP', () => {
    const p = cifarBatchPickle({ data: new Uint8Array(3072), n: 1, labels: { labels: [1] } });
    rejects(() => readPickle(p.subarray(0, 200), 'cut.pkl'), /cut\.pkl: .*(runs past the end|truncated)/);
    rejects(() => readPickle(Uint8Array.of(0x80, 2, 0xff), 'op.pkl'), /unsupported opcode 0xff at offset 2/);
    rejects(() => readPickle(Uint8Array.of(0x80, 2, 0x85), 'u.pkl'), /stack underflow/);
    rejects(() => readPickle(Uint8Array.of(0x80, 2, 0x4b, 1), 'n.pkl'), /truncated/);
    rejects(() => readPickle(Uint8Array.of(0x80, 9), 'p.pkl'), /protocol 9/);
    // A BINSTRING claiming 2 GB in a 10-byte file: refused before any allocation.
    rejects(() => readPickle(Uint8Array.of(0x80, 2, 0x54, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3), 'big.pkl'), /runs past the end/);
  });
});
