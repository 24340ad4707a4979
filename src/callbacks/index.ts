/** Keras callbacks: classes plus TensorFlow.js-style lower-case factories. */
import { EarlyStopping, type EarlyStoppingArgs, TerminateOnNaN } from './early_stopping.js';
import { ModelCheckpoint, type ModelCheckpointArgs } from './model_checkpoint.js';
import { CSVLogger, type CSVLoggerArgs } from './csv_logger.js';
import { ReduceLROnPlateau, type ReduceLROnPlateauArgs } from './reduce_lr_on_plateau.js';
import { LearningRateScheduler, type LearningRateSchedulerArgs, type Schedule } from './learning_rate_scheduler.js';
import { LambdaCallback, type LambdaCallbackArgs } from './lambda_callback.js';
import { BackupAndRestore, type BackupAndRestoreArgs, backupPath, readBackupMetadata } from './backup_and_restore.js';

export { Callback, CallbackList, type Logs, type TrainingParams } from './callback.js';
export { History } from './history.js';
export { ProgbarLogger } from './progbar.js';
export { BackupAndRestore, type BackupAndRestoreArgs, backupPath, readBackupMetadata };
export { EarlyStopping, type EarlyStoppingArgs, TerminateOnNaN };
export { ModelCheckpoint, type ModelCheckpointArgs, CSVLogger, type CSVLoggerArgs, ReduceLROnPlateau, type ReduceLROnPlateauArgs };
export { LearningRateScheduler, type LearningRateSchedulerArgs, type Schedule, LambdaCallback, type LambdaCallbackArgs };
export { MonitorCallback, type MonitorMode } from './monitor.js';
export { LiveLogger, type LiveLoggerArgs } from './live_logger.js';

export const earlyStopping = (a: EarlyStoppingArgs = {}) => new EarlyStopping(a);
export const terminateOnNaN = () => new TerminateOnNaN();
export const modelCheckpoint = (filepath: string, a: ModelCheckpointArgs = {}) => new ModelCheckpoint(filepath, a);
export const csvLogger = (filename: string, a: CSVLoggerArgs = {}) => new CSVLogger(filename, a);
export const reduceLROnPlateau = (a: ReduceLROnPlateauArgs = {}) => new ReduceLROnPlateau(a);
export const learningRateScheduler = (schedule: Schedule, a: LearningRateSchedulerArgs = {}) => new LearningRateScheduler(schedule, a);
export const lambdaCallback = (a: LambdaCallbackArgs = {}) => new LambdaCallback(a);
export const backupAndRestore = (a: BackupAndRestoreArgs) => new BackupAndRestore(a);
