import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  crc32,
  decodeConvkitFile,
  encodeConvkitFile,
  type ConvkitFile,
  type StoredWeight,
} from '../../src/io/convkit_format.js';
import { FormatError, ValueError } from '../../src/errors.js';

/** Small seeded PRNG for the tests (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fromBits(bits: number[]): Float32Array {
  return new Float32Array(new Uint32Array(bits).buffer);
}

function bitsOf(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

function randomWeight(name: string, shape: number[], r: () => number): StoredWeight {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (r() - 0.5) * 4;
  return { name, shape, dtype: 'float32', data };
}

function sample(): ConvkitFile {
  const r = rng(42);
  const special = fromBits([
    0x7fc00000, // canonical quiet NaN
    0x7fc00001, // quiet NaN with payload
    0xffc12345, // negative quiet NaN with payload
    0x7f800001, // signalling NaN
    0x80000000, // -0
    0x00000000, // +0
    0x7f800000, // +Infinity
    0xff800000, // -Infinity
    0x00000001, // smallest subnormal
    0x7f7fffff, // largest finite
  ]);
  return {
    config: { class_name: 'Sequential', config: { layers: [{ class_name: 'Conv2D', config: { filters: 4, kernel_size: [3, 3], name: 'conv' } }] }, ünïcode: '✓' },
    metadata: { convkit_version: '0.1.0', epochs: 3, history: { loss: [1.5, 0.75] } },
    weights: [
      randomWeight('conv/kernel', [3, 3, 1, 4], r),
      randomWeight('conv/bias', [4], r),
      { name: 'special', shape: [2, 5], dtype: 'float32', data: special },
      { name: 'empty', shape: [0, 3], dtype: 'float32', data: new Float32Array(0) },
      { name: 'scalar', shape: [], dtype: 'float32', data: new Float32Array([-0]) },
      randomWeight('dense/kernel', [7, 3], r),
    ],
  };
}

function assertSameFile(got: ConvkitFile, want: ConvkitFile): void {
  assert.deepEqual(got.config, want.config);
  assert.deepEqual(got.metadata, want.metadata);
  assert.equal(got.weights.length, want.weights.length);
  got.weights.forEach((w, i) => {
    const e = want.weights[i]!;
    assert.equal(w.name, e.name);
    assert.deepEqual(w.shape, e.shape);
    assert.equal(w.dtype, 'float32');
    assert.ok(w.data instanceof Float32Array);
    assert.deepEqual(bitsOf(w.data), bitsOf(e.data), `weight ${e.name} is not bit-exact`);
  });
}

function isFormatError(e: unknown): boolean {
  return e instanceof FormatError;
}

/** Builds a file by hand with a valid CRC, to test checks that a checksum cannot catch. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), opts: { version?: number; raw?: string } = {}): Uint8Array {
  const json = new TextEncoder().encode(opts.raw ?? JSON.stringify(header));
  const dataStart = Math.ceil((16 + json.length) / 16) * 16;
  const out = new Uint8Array(dataStart + data.length + 4);
  const v = new DataView(out.buffer);
  out.set([0x43, 0x4f, 0x4e, 0x56, 0x4b, 0x49, 0x54, 0x00]);
  v.setUint32(8, opts.version ?? 1, true);
  v.setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(data, dataStart);
  v.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

test('crc32 matches the standard check values', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(crc32(enc('')), 0);
  assert.equal(crc32(enc('a')), 0xe8b7be43);
  assert.equal(crc32(enc('123456789')), 0xcbf43926);
  assert.equal(crc32(enc('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  const long = enc('The quick brown fox jumps over the lazy dog');
  assert.equal(crc32(long.subarray(7), crc32(long.subarray(0, 7))), 0x414fa339);
});

test('round trip is bit-exact, including NaN payloads, -0, infinities and subnormals', () => {
  const f = sample();
  const bytes = encodeConvkitFile(f);
  const back = decodeConvkitFile(bytes, 'mem.convkit');
  assertSameFile(back, f);
  assert.equal(Object.is(back.weights[4]!.data[0], -0), true);
  // Deterministic encoding.
  assert.deepEqual(encodeConvkitFile(f), bytes);
  // Without metadata, the field stays absent.
  const noMeta = decodeConvkitFile(encodeConvkitFile({ config: [1, 'two', null], weights: [] }), 'x');
  assert.deepEqual(noMeta, { config: [1, 'two', null], weights: [] });
  assert.equal('metadata' in noMeta, false);
});

test('layout: magic, version, 16-byte aligned data, trailing CRC', () => {
  const f = sample();
  const bytes = encodeConvkitFile(f);
  assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0x43, 0x4f, 0x4e, 0x56, 0x4b, 0x49, 0x54, 0x00]);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(v.getUint32(8, true), 1);
  const h = v.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + h))) as {
    config: unknown;
    weights: { name: string; offset: number; byteLength: number; shape: number[]; dtype: string }[];
    dataByteLength: number;
  };
  assert.deepEqual(header.config, f.config);
  const dataStart = Math.ceil((16 + h) / 16) * 16;
  assert.equal(bytes.length, dataStart + header.dataByteLength + 4);
  assert.equal(v.getUint32(bytes.length - 4, true), crc32(bytes.subarray(0, bytes.length - 4)));
  header.weights.forEach((w, i) => {
    assert.equal(w.offset % 16, 0);
    assert.equal(w.dtype, 'float32');
    assert.equal(w.byteLength, f.weights[i]!.data.length * 4);
    // Raw little-endian float32 at dataStart + offset.
    const src = f.weights[i]!.data;
    for (let k = 0; k < src.length; k++) {
      assert.equal(v.getUint32(dataStart + w.offset + 4 * k, true), bitsOf(src)[k]);
    }
  });
});

test('decoded weights are fresh aligned copies, even from an unaligned view of a shared buffer', () => {
  const f = sample();
  const enc = encodeConvkitFile(f);
  const host = new Uint8Array(enc.length + 3);
  host.set(enc, 3);
  const view = host.subarray(3);
  const back = decodeConvkitFile(view, 'shifted');
  assertSameFile(back, f);
  for (const w of back.weights) {
    assert.equal(w.data.byteOffset, 0);
    assert.notEqual(w.data.buffer, host.buffer);
    assert.equal(w.data.buffer.byteLength, w.data.byteLength);
  }
  host.fill(0);
  assertSameFile(back, f); // unaffected by later changes to the input
  // Encoding from an unaligned Float32Array view works too.
  const buf = new Float32Array([9, 1, 2, 3, 9]);
  const sub = buf.subarray(1, 4);
  const out = decodeConvkitFile(encodeConvkitFile({ config: {}, weights: [{ name: 'w', shape: [3], dtype: 'float32', data: sub }] }), 'y');
  assert.deepEqual(Array.from(out.weights[0]!.data), [1, 2, 3]);
});

test('a file truncated at any point raises FormatError', () => {
  const f: ConvkitFile = {
    config: { a: 1 },
    weights: [randomWeight('w', [5, 3], rng(1)), randomWeight('b', [3], rng(2))],
  };
  const bytes = encodeConvkitFile(f);
  for (let cut = 0; cut < bytes.length; cut++) {
    assert.throws(() => decodeConvkitFile(bytes.subarray(0, cut), 'cut.convkit'), isFormatError, `cut at ${cut} did not raise FormatError`);
  }
  // Cuts inside the data or the CRC say how much was expected.
  const h = new DataView(bytes.buffer).getUint32(12, true);
  const dataStart = Math.ceil((16 + h) / 16) * 16;
  for (const cut of [dataStart + 4, bytes.length - 5, bytes.length - 1]) {
    assert.throws(
      () => decodeConvkitFile(bytes.subarray(0, cut), 'cut.convkit'),
      new RegExp(`^FormatError: cut\\.convkit is truncated: expected ${bytes.length} bytes, found ${cut}\\b`),
    );
  }
  // Cuts in the preamble or header also call it truncated.
  for (const cut of [3, 8, 15, 16, 17 + Math.floor(h / 2)]) {
    assert.throws(() => decodeConvkitFile(bytes.subarray(0, cut), 'cut.convkit'), /cut\.convkit is truncated: expected at least \d+ bytes, found/);
  }
  // Larger model, sampled cut points.
  const big = encodeConvkitFile(sample());
  const r = rng(7);
  for (let k = 0; k < 300; k++) {
    const cut = Math.floor(r() * big.length);
    assert.throws(() => decodeConvkitFile(big.subarray(0, cut), 'big'), isFormatError);
  }
});

test('bit flips at ≥200 seeded random positions always raise FormatError (never crash or hang)', () => {
  const f = sample();
  const bytes = encodeConvkitFile(f);
  const r = rng(20240601);
  let raised = 0;
  const regions = new Set<string>();
  const h = new DataView(bytes.buffer).getUint32(12, true);
  const t0 = Date.now();
  for (let k = 0; k < 400; k++) {
    const copy = bytes.slice();
    const pos = Math.floor(r() * copy.length);
    copy[pos] = copy[pos]! ^ (1 << Math.floor(r() * 8));
    regions.add(pos < 16 ? 'preamble' : pos < 16 + h ? 'header' : pos < copy.length - 4 ? 'data' : 'crc');
    try {
      const back = decodeConvkitFile(copy, 'flipped.convkit');
      assert.fail(`flip at byte ${pos} was not detected`);
      void back;
    } catch (e) {
      assert.ok(e instanceof FormatError, `flip at byte ${pos} threw ${String(e)} instead of FormatError`);
      assert.match(e.message, /flipped\.convkit/);
      raised++;
    }
  }
  assert.equal(raised, 400);
  assert.deepEqual([...regions].sort(), ['crc', 'data', 'header', 'preamble']);
  assert.ok(Date.now() - t0 < 10_000, 'decoding corrupted files is too slow');
  // A flip in the weight data specifically names the checksum.
  const copy = bytes.slice();
  copy[bytes.length - 8] = copy[bytes.length - 8]! ^ 4;
  assert.throws(() => decodeConvkitFile(copy, 'x'), /x is corrupted: CRC-32 mismatch/);
});

test('random multi-byte corruption raises FormatError or decodes to a CRC-verified identical file', () => {
  const f = sample();
  const bytes = encodeConvkitFile(f);
  const r = rng(99);
  for (let k = 0; k < 300; k++) {
    const copy = bytes.slice();
    const start = Math.floor(r() * copy.length);
    const n = 1 + Math.floor(r() * 8);
    for (let i = start; i < Math.min(copy.length, start + n); i++) copy[i] = Math.floor(r() * 256);
    let back: ConvkitFile;
    try {
      back = decodeConvkitFile(copy, 'junk');
    } catch (e) {
      assert.ok(e instanceof FormatError, `corruption at ${start} threw ${String(e)}`);
      continue;
    }
    // Only possible when the random bytes happened to equal the originals.
    assert.deepEqual(copy, bytes);
    assertSameFile(back, f);
  }
});

test('foreign files are "not a convkit model file" with a description of what was found', () => {
  const expectNot = (bytes: Uint8Array, found: RegExp) => {
    assert.throws(
      () => decodeConvkitFile(bytes, 'model.bin'),
      (e: unknown) => {
        assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
        assert.match(e.message, /^model\.bin is not a convkit model file \(found .+\); expected a file written by model\.save\(\)$/);
        assert.match(e.message, found);
        assert.match(String(e), /^FormatError: model\.bin is not a convkit model file/);
        return true;
      },
    );
  };
  const hdf5 = new Uint8Array(64);
  hdf5.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
  expectNot(hdf5, /HDF5/);
  expectNot(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /zip/);
  expectNot(new TextEncoder().encode('{"modelTopology": {}, "weightsManifest": []}'), /JSON/);
  expectNot(new TextEncoder().encode('  [1, 2, 3]'), /JSON/);
  expectNot(new Uint8Array(0), /empty file/);
  expectNot(new TextEncoder().encode('hello world, not a model'), /text starting with "hello world/);
  expectNot(new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]), /bytes de ad be ef/);
  expectNot(new TextEncoder().encode('CONVKIX\0' + '\0'.repeat(20)), /found/);
});

test('inconsistent headers are rejected even with a valid checksum', () => {
  const good = { format: 'convkit', config: {}, dataByteLength: 16, weights: [{ name: 'w', shape: [2, 2], dtype: 'float32', offset: 0, byteLength: 16 }] };
  const data = new Uint8Array(16);
  // Sanity: the crafted baseline decodes.
  assert.equal(decodeConvkitFile(craft(good, data), 'ok').weights[0]!.data.length, 4);

  const cases: [string, Uint8Array, RegExp][] = [
    ['shape vs byteLength', craft({ ...good, weights: [{ ...good.weights[0], shape: [2, 3] }] }, data), /byteLength/],
    ['offset out of range', craft({ ...good, weights: [{ ...good.weights[0], offset: 16 }] }, data), /data section has 16 bytes/],
    ['huge offset', craft({ ...good, weights: [{ ...good.weights[0], offset: 2 ** 52 }] }, data), /data section/],
    ['negative offset', craft({ ...good, weights: [{ ...good.weights[0], offset: -4 }] }, data), /invalid offset/],
    ['misaligned offset', craft({ ...good, dataByteLength: 32, weights: [{ ...good.weights[0], offset: 2 }] }, new Uint8Array(32)), /invalid offset/],
    ['fractional shape', craft({ ...good, weights: [{ ...good.weights[0], shape: [2.5, 2] }] }, data), /invalid shape/],
    ['negative shape', craft({ ...good, weights: [{ ...good.weights[0], shape: [-2, -2] }] }, data), /invalid shape/],
    ['dtype', craft({ ...good, weights: [{ ...good.weights[0], dtype: 'float64' }] }, data), /dtype "float64"/],
    ['missing name', craft({ ...good, weights: [{ ...good.weights[0], name: 3 }] }, data), /name/],
    [
      'overlap',
      craft({ ...good, dataByteLength: 32, weights: [good.weights[0], { ...good.weights[0], name: 'v', offset: 8 }] }, new Uint8Array(32)),
      /overlap/,
    ],
    ['weights not array', craft({ ...good, weights: {} }, data), /"weights" is not an array/],
    ['no config', craft({ format: 'convkit', dataByteLength: 0, weights: [] }), /no "config"/],
    ['metadata not object', craft({ ...good, metadata: [1] }, data), /metadata/],
    ['wrong format tag', craft({ ...good, format: 'other' }, data), /"format"/],
    ['bad dataByteLength', craft({ ...good, dataByteLength: -1 }, data), /dataByteLength/],
    ['invalid JSON', craft(null, new Uint8Array(0), { raw: '{"format": "convkit", ' }), /not valid UTF-8 JSON/],
    ['JSON not an object', craft(null, new Uint8Array(0), { raw: '[1,2]' }), /not a JSON object/],
    ['invalid UTF-8', craft(null, new Uint8Array(0), { raw: '\uFFFD' }).map((b, i) => (i >= 16 && i < 19 ? 0xff : b)), /not valid UTF-8 JSON/],
    ['newer version', craft(good, data, { version: 2 }), /format version 2.*reads version 1/],
    ['version 0', craft(good, data, { version: 0 }), /unknown file format version 0/],
    ['trailing bytes', (() => { const c = craft({ ...good, dataByteLength: 12 }, data); return c; })(), /trailing bytes/],
  ];
  for (const [what, bytes, msg] of cases) {
    assert.throws(() => decodeConvkitFile(bytes, 'c.convkit'), (e: unknown) => {
      assert.ok(e instanceof FormatError, `${what}: expected FormatError, got ${String(e)}`);
      assert.match(e.message, /^c\.convkit /, what);
      assert.match(e.message, msg, what);
      return true;
    });
  }
  // Extra bytes appended after the CRC.
  const enc = encodeConvkitFile(sample());
  const longer = new Uint8Array(enc.length + 5);
  longer.set(enc);
  assert.throws(() => decodeConvkitFile(longer, 'l'), /5 unexpected trailing bytes/);
  // Absurd header length.
  const hl = enc.slice();
  new DataView(hl.buffer).setUint32(12, 0xfffffff0, true);
  assert.throws(() => decodeConvkitFile(hl, 'h'), FormatError);
  // Non-zero padding between header and data.
  const padded = craft({ format: 'convkit', config: 0, dataByteLength: 0, weights: [] });
  const hLen = new DataView(padded.buffer).getUint32(12, true);
  if ((16 + hLen) % 16 !== 0) {
    padded[16 + hLen] = 1;
    new DataView(padded.buffer).setUint32(padded.length - 4, crc32(padded.subarray(0, padded.length - 4)), true);
    assert.throws(() => decodeConvkitFile(padded, 'p'), /non-zero padding/);
  }
});

test('encoder rejects inconsistent input with ValueError', () => {
  const w = (over: Partial<StoredWeight>): ConvkitFile => ({
    config: {},
    weights: [{ name: 'w', shape: [2], dtype: 'float32', data: new Float32Array(2), ...over }],
  });
  assert.throws(() => encodeConvkitFile(w({ shape: [3] })), ValueError);
  assert.throws(() => encodeConvkitFile(w({ shape: [-1, -2] })), ValueError);
  assert.throws(() => encodeConvkitFile(w({ dtype: 'int32' as 'float32' })), ValueError);
  assert.throws(() => encodeConvkitFile(w({ data: new Float64Array(2) as unknown as Float32Array })), ValueError);
  assert.throws(() => encodeConvkitFile({ config: undefined, weights: [] }), ValueError);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => encodeConvkitFile({ config: cyclic, weights: [] }), ValueError);
  assert.throws(() => encodeConvkitFile({ config: { n: 1n }, weights: [] }), ValueError);
  assert.throws(() => encodeConvkitFile({ config: {}, weights: [], metadata: [] as unknown as Record<string, unknown> }), ValueError);
});
