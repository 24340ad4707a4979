/**
 * The `native` backend: C++ kernels (native/) behind the Backend interface. Float32 work runs in the
 * addon; float64 arrays (used by gradient checks) go to the js kernels, which the addon does not
 * duplicate. Each kernel family lives in its own file and is assembled here.
 */
import type { Backend } from '../backend.js';
import { loadAddon, type NativeAddon } from './addon.js';
import { matmulKernels } from './matmul.js';
import { elementwiseKernels } from './elementwise.js';
import { reduceKernels } from './reduce.js';
import { movementKernels } from './movement.js';
import { softmaxKernels } from './softmax.js';
import { batchnormKernels } from './batchnorm.js';
import { convKernels } from './conv.js';
import { depthwiseKernels } from './depthwise.js';
import { poolKernels } from './pool.js';
import { optimizerKernels } from './optimizer.js';
import { setAlignmentProbe } from './alloc.js';
import { packedFilterCache } from './packed_filter.js';

export type NativeBackend = Partial<Backend> & { name: 'native'; addon: NativeAddon };

export function createNativeBackend(): NativeBackend {
  const { addon, error } = loadAddon();
  if (!addon) throw new Error(`convkit: the native backend is not available (${error})`);
  const packed = packedFilterCache(addon);
  const conv = convKernels(addon, packed);
  if (typeof addon.alignmentOffset === 'function') setAlignmentProbe(addon.alignmentOffset as (b: ArrayBuffer) => number);
  return {
    name: 'native',
    addon,
    ...matmulKernels(addon),
    ...elementwiseKernels(addon),
    ...reduceKernels(addon),
    ...movementKernels(addon),
    ...softmaxKernels(addon),
    ...batchnormKernels(addon),
    ...conv,
    ...depthwiseKernels(addon, conv.conv2d, packed),
    ...poolKernels(addon),
    ...optimizerKernels(addon),
  };
}
