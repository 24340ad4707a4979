/**
 * The reference backend: plain TypeScript over typed arrays, no native code. Every other backend is
 * tested against this one, so clarity and exactness come first, then speed where it matters most
 * (matmul and convolution, see gemm.ts).
 */
import type { Backend } from '../backend.js';
import { binary } from './binary.js';
import { batchNormInference, batchNormTrain, batchNormTrainGrad } from './batchnorm.js';
import { conv2d, conv2dBackpropFilter, conv2dBackpropInput } from './conv.js';
import { depthwiseConv2d, depthwiseConv2dBackpropFilter, depthwiseConv2dBackpropInput, pointwiseDepthwiseConv2d } from './depthwise.js';
import { cast, clip, relu, reluGrad, where } from './elementwise.js';
import { matmul } from './matmul.js';
import { broadcastTo, concat, gather, gatherGrad, pad, slice, transpose } from './movement.js';
import { avgPool, avgPoolBackprop, maxPool, maxPoolBackprop } from './pool.js';
import { allFinite, argReduce, reduce } from './reduce.js';
import { logSoftmax, softmax, sparseSoftmaxCrossEntropy } from './softmax.js';
import { unary, unaryGrad } from './unary.js';
import { adamUpdate } from './optimizer.js';

export const jsBackend: Backend = {
  name: 'js',
  unary, unaryGrad, relu, reluGrad, binary, clip, where, cast,
  reduce, argReduce, allFinite,
  matmul,
  transpose, slice, concat, pad, gather, gatherGrad, broadcastTo,
  conv2d, conv2dBackpropInput, conv2dBackpropFilter,
  depthwiseConv2d, depthwiseConv2dBackpropInput, depthwiseConv2dBackpropFilter, pointwiseDepthwiseConv2d,
  maxPool, maxPoolBackprop, avgPool, avgPoolBackprop,
  softmax, logSoftmax, sparseSoftmaxCrossEntropy,
  batchNormTrain, batchNormInference, batchNormTrainGrad,
  adamUpdate,
};
