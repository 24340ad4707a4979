import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsBackend as B } from '../../../src/backend/js/index.js';
import { conv2dInfo, type Conv2DInfo } from '../../../src/shape/conv.js';
import { inSize, outSize, randomConvCases, stridedDilatedInfo } from './convcases.js';
import { absDot, assertAdjoint, assertClose, dot, randArray, rng } from './helpers.js';

/** Direct 7-loop convolution straight from the definition (NHWC, HWIO), in float64. */
function naiveConv(x: ArrayLike<number>, w: ArrayLike<number>, info: Conv2DInfo): Float64Array {
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: OC } = info;
  const { filterHeight: KH, filterWidth: KW } = info;
  const y = new Float64Array(N * OH * OW * OC);
  for (let n = 0; n < N; n++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    for (let oc = 0; oc < OC; oc++) {
      let s = 0;
      for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
        const ih = oh * info.strideHeight - info.padTop + kh * info.dilationHeight;
        const iw = ow * info.strideWidth - info.padLeft + kw * info.dilationWidth;
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
        for (let c = 0; c < C; c++) s += x[((n * H + ih) * W + iw) * C + c] * w[((kh * KW + kw) * C + c) * OC + oc];
      }
      y[((n * OH + oh) * OW + ow) * OC + oc] = s;
    }
  }
  return y;
}

function filterSize(info: Conv2DInfo): number {
  return info.filterHeight * info.filterWidth * info.inChannels * info.outChannels;
}

const rand = rng(1234);
const cases = [
  ...randomConvCases(rand, 60, null),
  { info: stridedDilatedInfo(3, 4, 1), label: 'stride 2 + dilation 2, asymmetric pads' },
  {
    info: conv2dInfo({ inShape: [3, 5, 7, 5], filterSize: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid', name: 't' }, 4),
    label: '1x1 pointwise (direct matmul path)',
  },
  // 1×1 kernels with padding on one axis only must not take the pointwise path.
  ...([[[1, 0], [0, 0]], [[0, 0], [0, 2]]] as const).map((padding) => ({
    info: conv2dInfo({ inShape: [1, 4, 5, 3], filterSize: [1, 1], strides: [1, 1], dilations: [1, 1], padding, name: 't' }, 2),
    label: `1x1 with padding ${JSON.stringify(padding)}`,
  })),
];

test('conv2d forward matches a direct convolution on random geometries', () => {
  for (const { info, label } of cases) {
    const x = randArray(inSize(info), rand), w = randArray(filterSize(info), rand);
    assertClose(B.conv2d(x, w, info), naiveConv(x, w, info), 1e-12, 1e-12, label);
  }
});

test('conv2d backprops satisfy the adjoint identity <conv(x,w),dy> = <x,dX(dy,w)> = <w,dW(x,dy)>', () => {
  for (const { info, label } of cases) {
    const x = randArray(inSize(info), rand), w = randArray(filterSize(info), rand), dy = randArray(outSize(info), rand);
    const y = B.conv2d(x, w, info);
    const dx = B.conv2dBackpropInput(dy, w, info);
    const dw = B.conv2dBackpropFilter(x, dy, info);
    assert.equal(dx.length, x.length, label);
    assert.equal(dw.length, w.length, label);
    const scale = absDot(naiveConv(x.map(Math.abs), w.map(Math.abs), info), dy.map(Math.abs)) || 1;
    const lhs = dot(y, dy);
    assertAdjoint(lhs, dot(x, dx), scale, 1e-9, `input: ${label}`);
    assertAdjoint(lhs, dot(w, dw), scale, 1e-9, `filter: ${label}`);
  }
});

test('conv2d processes large inputs in several im2col chunks without seams', () => {
  // 3·3·64 = 576 values per patch, so a 4M-element chunk holds 7281 positions; 2·64·64 = 8192
  // positions need two chunks, with the seam inside the second image.
  const info = conv2dInfo({ inShape: [2, 64, 64, 64], filterSize: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same', name: 't' }, 3);
  const r = rng(7);
  const x = randArray(inSize(info), r), w = randArray(filterSize(info), r), dy = randArray(outSize(info), r);
  assertClose(B.conv2d(x, w, info), naiveConv(x, w, info), 1e-11, 1e-11, 'chunked forward');
  const lhs = dot(B.conv2d(x, w, info), dy);
  const scale = absDot(naiveConv(x.map(Math.abs), w.map(Math.abs), info), dy.map(Math.abs));
  assertAdjoint(lhs, dot(x, B.conv2dBackpropInput(dy, w, info)), scale, 1e-9, 'chunked input grad');
  assertAdjoint(lhs, dot(w, B.conv2dBackpropFilter(x, dy, info)), scale, 1e-9, 'chunked filter grad');
});

test('conv2d keeps float32 as float32 and stays accurate', () => {
  const { info } = cases[0];
  const x = randArray(inSize(info), rand, 'float32'), w = randArray(filterSize(info), rand, 'float32');
  const y = B.conv2d(x, w, info);
  assert.ok(y instanceof Float32Array);
  assertClose(y, naiveConv(x, w, info), 1e-5, 1e-5, 'float32');
  assert.ok(B.conv2dBackpropInput(randArray(outSize(info), rand, 'float32'), w, info) instanceof Float32Array);
  assert.ok(B.conv2dBackpropFilter(x, randArray(outSize(info), rand, 'float32'), info) instanceof Float32Array);
  assert.ok(B.conv2d(Float64Array.from(x), Float64Array.from(w), info) instanceof Float64Array);
});
