/**
 * TensorFlow.js's dialect of the training config in model.json: tfjs-core optimizer class names
 * and constructor arguments (`RMSProp` whose `decay` is Keras's `rho`; `Momentum` for SGD with
 * momentum; `Adamax` whose `decay` is an inverse-time decay of the learning rate), camelCase keys
 * and loss names, and `accuracy` as the only accuracy metric tfjs resolves by name.
 *
 * tfjs has no AdamW or Nadam, and tf.loadLayersModel fails on a training config naming an optimizer
 * it does not know; a model compiled with one is written without a training config (with a warning),
 * so the file still loads in tfjs for inference.
 */
import type { Model } from '../../models/model.js';
import { headsCompileConfig } from '../../models/heads.js';
import type { MetricSpec } from '../../metrics/index.js';
import { serializeOptimizer } from '../../optimizers/index.js';

type Json = Record<string, unknown>;

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Keras optimizers tfjs-core has no class for (tfjs would refuse the whole model.json). */
const NOT_IN_TFJS = new Set(['AdamW', 'Nadam']);

/** What tfjs-core's optimizers take in fromConfig, from a Keras optimizer config. */
function tfjsOptimizer(className: string, c: Json): { class_name: string; config: Json } {
  const lr = c.learning_rate;
  switch (className) {
    case 'SGD':
      if (c.momentum) return { class_name: 'Momentum', config: { learningRate: lr, momentum: c.momentum, useNesterov: c.nesterov === true } };
      return { class_name: 'SGD', config: { learningRate: lr } };
    case 'RMSprop':
      return { class_name: 'RMSProp', config: { learningRate: lr, decay: c.rho, momentum: c.momentum, epsilon: c.epsilon, centered: c.centered } };
    case 'Adam':
      return { class_name: 'Adam', config: { learningRate: lr, beta1: c.beta_1, beta2: c.beta_2, epsilon: c.epsilon } };
    case 'Adagrad':
      return { class_name: 'Adagrad', config: { learningRate: lr, initialAccumulatorValue: c.initial_accumulator_value } };
    case 'Adadelta':
      return { class_name: 'Adadelta', config: { learningRate: lr, rho: c.rho, epsilon: c.epsilon } };
    case 'Adamax':
      return { class_name: 'Adamax', config: { learningRate: lr, beta1: c.beta_1, beta2: c.beta_2, epsilon: c.epsilon, decay: 0 } };
    default:
      return { class_name: className, config: c };
  }
}

/** The model's compile settings as tfjs writes `trainingConfig`, or null if not compiled. */
export function tfjsTrainingConfig(model: Model): Json | null {
  const c = model.compiled;
  if (!c) return null;
  const opt = serializeOptimizer(c.optimizer);
  if (NOT_IN_TFJS.has(opt.class_name)) {
    process.emitWarning(`TensorFlow.js has no ${opt.class_name} optimizer, so the model.json is written without a training config (tfjs would refuse to load it); compile again after loading it`, { code: 'CONVKIT_TFJS_NO_OPTIMIZER' });
    return null;
  }
  const metricName = (m: MetricSpec) => {
    const name = typeof m === 'string' ? m : m.name;
    return /(^|_)acc(uracy)?$/.test(name) ? 'accuracy' : camel(name);
  };
  const heads = headsCompileConfig(c.heads, metricName);
  const loss = typeof heads.loss === 'string' ? camel(heads.loss) : Object.fromEntries(Object.entries(heads.loss as Record<string, string | null>).map(([k, v]) => [k, v && camel(v)]));
  return { optimizer_config: tfjsOptimizer(opt.class_name, opt.config), loss, metrics: heads.metrics, ...(heads.loss_weights ? { loss_weights: heads.loss_weights } : {}) };
}

/**
 * A tfjs trainingConfig → the Keras form io/keras/training_config.ts reads. Keras-style configs
 * (from tensorflowjs_converter) pass through unchanged.
 */
export function kerasTrainingConfigFromTfjs(tc: unknown): unknown {
  if (!tc || typeof tc !== 'object') return tc;
  const t = tc as Json;
  const opt = t.optimizer_config as { class_name?: string; config?: Json } | undefined;
  if (!opt || typeof opt !== 'object' || !opt.config || !('learningRate' in opt.config)) return tc;
  const c = opt.config;
  let spec: { class_name: string; config: Json };
  switch (opt.class_name) {
    case 'RMSProp':
      spec = { class_name: 'RMSprop', config: { learning_rate: c.learningRate, rho: c.decay ?? 0.9, momentum: c.momentum ?? 0, epsilon: c.epsilon ?? 1e-7, centered: c.centered ?? false } };
      break;
    case 'Momentum':
      spec = { class_name: 'SGD', config: { learning_rate: c.learningRate, momentum: c.momentum ?? 0, nesterov: c.useNesterov === true } };
      break;
    case 'Adamax': {
      // tfjs's lr / (1 + decay·iteration), iteration counting from 0, is Keras's InverseTimeDecay
      // with decay_steps 1 evaluated at the optimizer's iterations.
      const decay = typeof c.decay === 'number' ? c.decay : 0;
      const learningRate = decay === 0 ? c.learningRate
        : { class_name: 'InverseTimeDecay', config: { initial_learning_rate: c.learningRate, decay_steps: 1, decay_rate: decay, staircase: false } };
      spec = { class_name: 'Adamax', config: { learning_rate: learningRate, beta_1: c.beta1 ?? 0.9, beta_2: c.beta2 ?? 0.999, epsilon: c.epsilon ?? 1e-7 } };
      break;
    }
    default: {
      const config: Json = {};
      for (const [k, v] of Object.entries(c)) if (v !== undefined && v !== null) config[k] = v;
      spec = { class_name: String(opt.class_name), config };
    }
  }
  return { ...t, optimizer_config: spec };
}
