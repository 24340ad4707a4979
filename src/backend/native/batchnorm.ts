/** Native batch normalisation over the channel (last) axis, float32; float64 goes to js. */
import { allocOutput } from './alloc.js';
import type { Backend, BatchNormGradResult, BatchNormTrainResult, FloatArray } from '../backend.js';
import { jsFallback } from './recording.js';
import type { NativeAddon } from './addon.js';

type F32 = Float32Array;
type TrainFn = (x: F32, gamma: F32, beta: F32, y: F32, mean: F32, variance: F32, channels: number, epsilon: number) => void;
type InferenceFn = (x: F32, mean: F32, variance: F32, gamma: F32, beta: F32, y: F32, channels: number, epsilon: number) => void;
type TrainGradFn = (dy: F32, x: F32, gamma: F32, mean: F32, variance: F32, dx: F32, dgamma: F32, dbeta: F32,
  channels: number, epsilon: number) => void;

function allF32(...xs: FloatArray[]): boolean {
  return xs.every((x) => x instanceof Float32Array);
}

export function batchnormKernels(addon: NativeAddon): Pick<Backend, 'batchNormTrain' | 'batchNormInference' | 'batchNormTrainGrad'> {
  const nTrain = addon.batchNormTrain as TrainFn;
  const nInference = addon.batchNormInference as InferenceFn;
  const nTrainGrad = addon.batchNormTrainGrad as TrainGradFn;
  return {
    batchNormTrain(x: FloatArray, gamma: FloatArray, beta: FloatArray, channels: number, epsilon: number): BatchNormTrainResult {
      if (!(x instanceof Float32Array) || !(gamma instanceof Float32Array) || !(beta instanceof Float32Array)) {
        return jsFallback.batchNormTrain(x, gamma, beta, channels, epsilon);
      }
      const y = allocOutput(x.length, false), mean = allocOutput(channels, true), variance = allocOutput(channels, true);
      nTrain(x, gamma, beta, y, mean, variance, channels, epsilon);
      return { y, mean, variance };
    },
    batchNormInference(x: FloatArray, mean: FloatArray, variance: FloatArray, gamma: FloatArray, beta: FloatArray,
      channels: number, epsilon: number): FloatArray {
      if (!allF32(x, mean, variance, gamma, beta)) {
        return jsFallback.batchNormInference(x, mean, variance, gamma, beta, channels, epsilon);
      }
      const y = allocOutput(x.length, false);
      nInference(x as F32, mean as F32, variance as F32, gamma as F32, beta as F32, y, channels, epsilon);
      return y;
    },
    batchNormTrainGrad(dy: FloatArray, x: FloatArray, gamma: FloatArray, mean: FloatArray, variance: FloatArray,
      channels: number, epsilon: number): BatchNormGradResult {
      if (!allF32(dy, x, gamma, mean, variance)) {
        return jsFallback.batchNormTrainGrad(dy, x, gamma, mean, variance, channels, epsilon);
      }
      const dx = allocOutput(x.length, false), dgamma = allocOutput(channels, true), dbeta = allocOutput(channels, true);
      nTrainGrad(dy as F32, x as F32, gamma as F32, mean as F32, variance as F32, dx, dgamma, dbeta, channels, epsilon);
      return { dx, dgamma, dbeta };
    },
  };
}
