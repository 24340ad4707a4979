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
import { INFO_SCRATCH } from './conv.js';
import { nativeRecorder } from './recording.js';
import type { KernelRecorder } from '../kernel_tape.js';

/**
 * Addon functions that are not kernels of a pass: queries, settings, and the packing of constant
 * filters (cached per filter array, so a replayed pass never needs it again).
 */
const NOT_RECORDED = new Set(['info', 'setNumThreads', 'setIsa', 'alignmentOffset', 'packedGemmBSize', 'packGemmB']);

export type NativeBackend = Partial<Backend> & { name: 'native'; addon: NativeAddon; recording: KernelRecorder };

export function createNativeBackend(): NativeBackend {
  const { addon: loaded, error } = loadAddon();
  if (!loaded) throw new Error(`convkit: the native backend is not available (${error})`);
  // The kernel families call the addon through this copy, which logs calls while a recording runs.
  const addon = nativeRecorder.wrap(loaded, NOT_RECORDED, new Set<object>(INFO_SCRATCH));
  const packed = packedFilterCache(addon);
  const conv = convKernels(addon, packed);
  if (typeof addon.alignmentOffset === 'function') setAlignmentProbe(addon.alignmentOffset as (b: ArrayBuffer) => number);
  return {
    name: 'native',
    addon: loaded,
    recording: nativeRecorder,
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
