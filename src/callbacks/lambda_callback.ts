/**
 * LambdaCallback: a callback made of plain functions, e.g.
 * `new LambdaCallback({ onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss) })`.
 * Keras's snake_case names are accepted too (`on_epoch_end`, and `on_train_batch_begin` /
 * `on_batch_begin` for onBatchBegin); an unknown name is an error so a typo cannot silently
 * leave a hook out. Functions may be async; fit() waits for them.
 */
import { ValueError } from '../errors.js';
import { Callback, type Logs } from './callback.js';

type MaybePromise = void | Promise<void>;
type LogsHook = (logs: Logs) => MaybePromise;
type IndexHook = (index: number, logs: Logs) => MaybePromise;

export interface LambdaCallbackArgs {
  onTrainBegin?: LogsHook;
  onTrainEnd?: LogsHook;
  onEpochBegin?: IndexHook;
  onEpochEnd?: IndexHook;
  onBatchBegin?: IndexHook;
  onBatchEnd?: IndexHook;
  onTestBegin?: LogsHook;
  onTestEnd?: LogsHook;
  on_train_begin?: LogsHook;
  on_train_end?: LogsHook;
  on_epoch_begin?: IndexHook;
  on_epoch_end?: IndexHook;
  on_batch_begin?: IndexHook;
  on_batch_end?: IndexHook;
  on_train_batch_begin?: IndexHook;
  on_train_batch_end?: IndexHook;
  on_test_begin?: LogsHook;
  on_test_end?: LogsHook;
}

type HookName = 'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd' | 'onTestBegin' | 'onTestEnd';

const HOOKS: Readonly<Record<string, HookName>> = {
  onTrainBegin: 'onTrainBegin', on_train_begin: 'onTrainBegin',
  onTrainEnd: 'onTrainEnd', on_train_end: 'onTrainEnd',
  onEpochBegin: 'onEpochBegin', on_epoch_begin: 'onEpochBegin',
  onEpochEnd: 'onEpochEnd', on_epoch_end: 'onEpochEnd',
  onBatchBegin: 'onBatchBegin', on_batch_begin: 'onBatchBegin', on_train_batch_begin: 'onBatchBegin', onTrainBatchBegin: 'onBatchBegin',
  onBatchEnd: 'onBatchEnd', on_batch_end: 'onBatchEnd', on_train_batch_end: 'onBatchEnd', onTrainBatchEnd: 'onBatchEnd',
  onTestBegin: 'onTestBegin', on_test_begin: 'onTestBegin',
  onTestEnd: 'onTestEnd', on_test_end: 'onTestEnd',
};

const OWNER = 'LambdaCallback';

export class LambdaCallback extends Callback {
  constructor(args: LambdaCallbackArgs = {}) {
    super();
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new ValueError(`${OWNER}: expected an object of hook functions such as { onEpochEnd: (epoch, logs) => … }, got ${String(args)}`);
    const given = new Map<HookName, string>();
    for (const [key, fn] of Object.entries(args)) {
      const hook = Object.prototype.hasOwnProperty.call(HOOKS, key) ? HOOKS[key] : undefined;
      if (hook === undefined) {
        throw new ValueError(`${OWNER}: unknown hook ${JSON.stringify(key)}; expected one of ${Object.keys(HOOKS).join(', ')}`);
      }
      if (fn === undefined || fn === null) continue;
      if (typeof fn !== 'function') throw new ValueError(`${OWNER}: ${key} must be a function, got ${typeof fn}`);
      const earlier = given.get(hook);
      if (earlier !== undefined) throw new ValueError(`${OWNER}: ${earlier} and ${key} both set the ${hook} hook; pass only one`);
      given.set(hook, key);
      // An own property shadows the no-op method inherited from Callback, as Keras's instance attribute does.
      Object.defineProperty(this, hook, { value: fn, writable: true, configurable: true, enumerable: false });
    }
  }
}
