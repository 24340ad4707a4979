/** Activations by Keras name (snake_case and camelCase accepted). */
import { unknownName } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { FusedActivation } from '../backend/backend.js';
import { isFusableActivation } from '../ops/fused.js';

export type ActivationFn = (x: Tensor) => Tensor;

export interface Activation {
  /** Keras's serialised name. */
  readonly name: string;
  readonly apply: ActivationFn;
}

const table: Record<string, ActivationFn> = {
  linear: (x) => x,
  relu: (x) => ops.relu(x),
  relu6: ops.relu6,
  sigmoid: ops.sigmoid,
  tanh: ops.tanh,
  softmax: (x) => ops.softmax(x, -1),
  log_softmax: (x) => ops.logSoftmax(x, -1),
  elu: (x) => ops.elu(x),
  selu: ops.selu,
  leaky_relu: (x) => ops.leakyRelu(x),
  swish: ops.swish,
  silu: ops.silu,
  gelu: (x) => ops.gelu(x),
  softplus: ops.softplus,
  softsign: ops.softsign,
  hard_sigmoid: ops.hardSigmoid,
  hard_silu: ops.hardSilu,
  hard_swish: ops.hardSwish,
  exponential: ops.exp,
};

export const ACTIVATION_NAMES = Object.keys(table);

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function getActivation(spec: string | ActivationFn | Activation | null | undefined): Activation {
  if (spec === null || spec === undefined) return { name: 'linear', apply: table.linear };
  if (typeof spec === 'function') return { name: spec.name || 'custom', apply: spec };
  if (typeof spec === 'object') return spec;
  const key = snake(spec);
  const fn = table[key];
  if (!fn) throw unknownName('activation', spec, ACTIVATION_NAMES);
  return { name: key, apply: fn };
}

/** Whether `act` is one of convkit's own activations (not a user function). */
export function isBuiltinActivation(act: Activation): boolean {
  return table[act.name] === act.apply;
}

/** The backend-fusable name of a built-in activation (conv/dense epilogues), or null. */
export function fusedActivationOf(act: Activation): FusedActivation | null {
  return table[act.name] === act.apply && isFusableActivation(act.name) ? act.name : null;
}
