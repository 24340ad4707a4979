/**
 * The native backend's kernel recorder (backend/kernel_tape.ts). Its hooks watch output allocation;
 * `jsFallback` is the js backend as the native kernels reach it (float64, int32 or empty inputs):
 * work done there is JavaScript, not a recorded addon call, so it taints a running recording.
 */
import { KernelRecorder } from '../kernel_tape.js';
import type { Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { setAllocationObserver } from './alloc.js';

export const nativeRecorder: KernelRecorder = new KernelRecorder({
  start: () => setAllocationObserver((a, zeroed) => nativeRecorder.noteAllocation(a, zeroed)),
  stop: () => setAllocationObserver(null),
});

function tainting(): Backend {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(jsBackend)) {
    out[name] = typeof value !== 'function' ? value : (...args: unknown[]) => {
      nativeRecorder.taint(`the js kernel ${name}`);
      return (value as (...a: unknown[]) => unknown)(...args);
    };
  }
  return out as unknown as Backend;
}

export const jsFallback: Backend = tainting();
