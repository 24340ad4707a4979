/** Keras callbacks: classes plus TensorFlow.js-style lower-case factories. */
import { EarlyStopping, type EarlyStoppingArgs, TerminateOnNaN } from './early_stopping.js';

export { Callback, CallbackList, type Logs, type TrainingParams } from './callback.js';
export { History } from './history.js';
export { ProgbarLogger } from './progbar.js';
export { EarlyStopping, type EarlyStoppingArgs, TerminateOnNaN };

export const earlyStopping = (a: EarlyStoppingArgs = {}) => new EarlyStopping(a);
export const terminateOnNaN = () => new TerminateOnNaN();
