/** Broadcasting binary ops (numpy rules). Comparisons produce 1/0 in the output's element type. */
import type { BinaryOp, DataArray } from '../backend.js';
import { coalesce, forEachRow } from './broadcast.js';
import { allocLike, broadcastStrides, floatLike, sizeOf } from './util.js';

export function binary(op: BinaryOp, a: DataArray, aShape: readonly number[], b: DataArray, bShape: readonly number[],
  outShape: readonly number[]): DataArray {
  // A float operand decides the type, so int32 ⊕ float32 does not truncate.
  const out = allocLike(floatLike(a, b), sizeOf(outShape));
  const loop = coalesce(outShape, [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)]);
  const last = loop.dims.length - 1;
  const sa = loop.strides[0][last], sb = loop.strides[1][last];
  forEachRow(loop, (o, offs, len) => binaryRow(op, out, o, a, offs[0], sa, b, offs[1], sb, len));
  return out;
}

/** out[o+j] = a[ai + j·sa] op b[bi + j·sb] for j < len; one loop per op keeps each inlinable. */
function binaryRow(op: BinaryOp, out: DataArray, o: number, a: DataArray, ai: number, sa: number,
  b: DataArray, bi: number, sb: number, len: number): void {
  switch (op) {
    case 'add': for (let j = 0; j < len; j++) out[o + j] = a[ai + j * sa] + b[bi + j * sb]; break;
    case 'sub': for (let j = 0; j < len; j++) out[o + j] = a[ai + j * sa] - b[bi + j * sb]; break;
    case 'mul': for (let j = 0; j < len; j++) out[o + j] = a[ai + j * sa] * b[bi + j * sb]; break;
    case 'div': for (let j = 0; j < len; j++) out[o + j] = a[ai + j * sa] / b[bi + j * sb]; break;
    case 'pow': for (let j = 0; j < len; j++) out[o + j] = Math.pow(a[ai + j * sa], b[bi + j * sb]); break;
    case 'maximum': for (let j = 0; j < len; j++) out[o + j] = Math.max(a[ai + j * sa], b[bi + j * sb]); break;
    case 'minimum': for (let j = 0; j < len; j++) out[o + j] = Math.min(a[ai + j * sa], b[bi + j * sb]); break;
    case 'equal': for (let j = 0; j < len; j++) out[o + j] = a[ai + j * sa] === b[bi + j * sb] ? 1 : 0; break;
    case 'notEqual': for (let j = 0; j < len; j++) out[o + j] = a[ai + j * sa] !== b[bi + j * sb] ? 1 : 0; break;
    case 'greater': for (let j = 0; j < len; j++) out[o + j] = a[ai + j * sa] > b[bi + j * sb] ? 1 : 0; break;
    case 'greaterEqual': for (let j = 0; j < len; j++) out[o + j] = a[ai + j * sa] >= b[bi + j * sb] ? 1 : 0; break;
    case 'less': for (let j = 0; j < len; j++) out[o + j] = a[ai + j * sa] < b[bi + j * sb] ? 1 : 0; break;
    case 'lessEqual': for (let j = 0; j < len; j++) out[o + j] = a[ai + j * sa] <= b[bi + j * sb] ? 1 : 0; break;
    default: throw new Error(`js backend: unknown binary op ${String(op satisfies never)}`);
  }
}
