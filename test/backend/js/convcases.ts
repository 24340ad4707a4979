/** Random convolution geometries (valid per src/shape/conv.ts) shared by the conv and depthwise tests. */
import { conv2dInfo, type Conv2DInfo, type Padding } from '../../../src/shape/conv.js';
import { randInt } from './helpers.js';

export interface ConvCase {
  info: Conv2DInfo;
  label: string;
}

function randomPadding(rand: () => number): Padding {
  const r = rand();
  if (r < 0.3) return 'same';
  if (r < 0.6) return 'valid';
  return [[randInt(rand, 0, 2), randInt(rand, 0, 2)], [randInt(rand, 0, 2), randInt(rand, 0, 2)]];
}

/**
 * `count` cases with odd spatial sizes, batch 1 or 3, strides 1–3, dilations 1–2 (never both > 1 on
 * an axis, which conv2dInfo rejects like TensorFlow), 'same' / 'valid' / explicit asymmetric pads.
 */
export function randomConvCases(rand: () => number, count: number, multiplier: number | null): ConvCase[] {
  const cases: ConvCase[] = [];
  while (cases.length < count) {
    const batch = rand() < 0.5 ? 1 : 3;
    const h = 2 * randInt(rand, 0, 5) + 1, w = 2 * randInt(rand, 0, 5) + 1;
    const c = [1, 3, 5][randInt(rand, 0, 2)];
    const kh = randInt(rand, 1, 3), kw = randInt(rand, 1, 3);
    let sh = randInt(rand, 1, 3), sw = randInt(rand, 1, 3);
    const dh = rand() < 0.4 ? 2 : 1, dw = rand() < 0.4 ? 2 : 1;
    if (dh > 1) sh = 1;
    if (dw > 1) sw = 1;
    const padding = randomPadding(rand);
    const m = multiplier ?? 1;
    const oc = multiplier === null ? [1, 2, 4][randInt(rand, 0, 2)] : c * m;
    let info: Conv2DInfo;
    try {
      info = conv2dInfo({ inShape: [batch, h, w, c], filterSize: [kh, kw], strides: [sh, sw], dilations: [dh, dw], padding, name: 'test' }, oc, m);
    } catch {
      continue; // empty output for this draw
    }
    cases.push({ info, label: `x[${batch},${h},${w},${c}] k${kh}x${kw} s${sh}x${sw} d${dh}x${dw} pad ${JSON.stringify(padding)} oc ${oc}` });
  }
  return cases;
}

/**
 * Stride and dilation both 2 with asymmetric pads: conv2dInfo refuses it, but kernels take any
 * shape record, so the general index arithmetic is exercised by a hand-built one.
 */
export function stridedDilatedInfo(inChannels: number, outChannels: number, multiplier: number): Conv2DInfo {
  const inH = 9, inW = 8, k = 3, s = 2, d = 2, pads = [1, 2, 0, 1];
  const out = (size: number, p0: number, p1: number) => Math.floor((size + p0 + p1 - ((k - 1) * d + 1)) / s) + 1;
  return {
    batch: 2, inHeight: inH, inWidth: inW, inChannels, outChannels, channelMultiplier: multiplier,
    outHeight: out(inH, pads[0], pads[1]), outWidth: out(inW, pads[2], pads[3]),
    filterHeight: k, filterWidth: k, strideHeight: s, strideWidth: s, dilationHeight: d, dilationWidth: d,
    padTop: pads[0], padBottom: pads[1], padLeft: pads[2], padRight: pads[3],
  };
}

export function inSize(info: Conv2DInfo): number {
  return info.batch * info.inHeight * info.inWidth * info.inChannels;
}

export function outSize(info: Conv2DInfo): number {
  return info.batch * info.outHeight * info.outWidth * info.outChannels;
}
