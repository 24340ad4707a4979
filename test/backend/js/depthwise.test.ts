import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsBackend as B } from '../../../src/backend/js/index.js';
import type { Conv2DInfo } from '../../../src/shape/conv.js';
import { inSize, outSize, randomConvCases, stridedDilatedInfo } from './convcases.js';
import { absDot, assertAdjoint, assertClose, dot, randArray, rng } from './helpers.js';

/** Direct depthwise convolution: output channel c·M + m sees only input channel c. */
function naiveDepthwise(x: ArrayLike<number>, f: ArrayLike<number>, info: Conv2DInfo): Float64Array {
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, channelMultiplier: M } = info;
  const { filterHeight: KH, filterWidth: KW } = info;
  const y = new Float64Array(N * OH * OW * C * M);
  for (let n = 0; n < N; n++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    for (let c = 0; c < C; c++) for (let m = 0; m < M; m++) {
      let s = 0;
      for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
        const ih = oh * info.strideHeight - info.padTop + kh * info.dilationHeight;
        const iw = ow * info.strideWidth - info.padLeft + kw * info.dilationWidth;
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
        s += x[((n * H + ih) * W + iw) * C + c] * f[((kh * KW + kw) * C + c) * M + m];
      }
      y[((n * OH + oh) * OW + ow) * C * M + c * M + m] = s;
    }
  }
  return y;
}

const rand = rng(99);

for (const multiplier of [1, 2]) {
  const cases = [
    ...randomConvCases(rand, 40, multiplier),
    { info: stridedDilatedInfo(3, 3 * multiplier, multiplier), label: 'stride 2 + dilation 2, asymmetric pads' },
  ];
  const filterSize = (info: Conv2DInfo) => info.filterHeight * info.filterWidth * info.inChannels * multiplier;

  test(`depthwiseConv2d (multiplier ${multiplier}) matches a direct loop`, () => {
    for (const { info, label } of cases) {
      const x = randArray(inSize(info), rand), f = randArray(filterSize(info), rand);
      assertClose(B.depthwiseConv2d(x, f, info), naiveDepthwise(x, f, info), 1e-12, 1e-12, label);
    }
  });

  test(`depthwiseConv2d (multiplier ${multiplier}) backprops satisfy the adjoint identity`, () => {
    for (const { info, label } of cases) {
      const x = randArray(inSize(info), rand), f = randArray(filterSize(info), rand), dy = randArray(outSize(info), rand);
      const dx = B.depthwiseConv2dBackpropInput(dy, f, info);
      const df = B.depthwiseConv2dBackpropFilter(x, dy, info);
      assert.equal(dx.length, x.length, label);
      assert.equal(df.length, f.length, label);
      const lhs = dot(B.depthwiseConv2d(x, f, info), dy);
      const scale = absDot(naiveDepthwise(x.map(Math.abs), f.map(Math.abs), info), dy.map(Math.abs)) || 1;
      assertAdjoint(lhs, dot(x, dx), scale, 1e-9, `input: ${label}`);
      assertAdjoint(lhs, dot(f, df), scale, 1e-9, `filter: ${label}`);
    }
  });
}

test('depthwise kernels keep the element type', () => {
  const info = stridedDilatedInfo(3, 6, 2);
  const fs = info.filterHeight * info.filterWidth * 6;
  for (const type of ['float32', 'float64'] as const) {
    const Ctor = type === 'float32' ? Float32Array : Float64Array;
    const x = randArray(inSize(info), rand, type), f = randArray(fs, rand, type), dy = randArray(outSize(info), rand, type);
    assert.ok(B.depthwiseConv2d(x, f, info) instanceof Ctor);
    assert.ok(B.depthwiseConv2dBackpropInput(dy, f, info) instanceof Ctor);
    assert.ok(B.depthwiseConv2dBackpropFilter(x, dy, info) instanceof Ctor);
  }
});
