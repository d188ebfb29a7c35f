// The engine-independent training loop: epochs of chunked steps, per-epoch evaluation, early stopping,
// divergence detection, progress callbacks, and pause/resume at any chunk boundary.
import type { DatasetHandle, Trainer } from '../core/trainer';
import { epochOrder, stepsPerEpoch } from './epoch_order';
import { freshProgress, type EpochRecord, type RunProgress } from './run_progress';
import { scheduleChunk, validateSchedule, type ScheduleConfig } from './schedule';
import { weightNormsFromSquared } from './analysis';

export interface EarlyStopping {
  /** Stop after this many epochs without the validation loss improving by more than minDelta. */
  patience: number;
  minDelta: number;
}

export interface TrainLoopConfig {
  epochs: number;
  batchSize: number;
  /** Seeds the data order (epoch e uses deriveSeed(seed, stream, e)). */
  seed: number;
  shuffle: boolean;
  /** Drop the last, smaller batch of each epoch (PyTorch drop_last). */
  dropLast: boolean;
  schedule: ScheduleConfig;
  /** Steps per trainer.train call: the GPU engine encodes them in one submit and reads back once. */
  stepsPerChunk: number;
  earlyStopping?: EarlyStopping;
  /** Evaluate the whole training set after each epoch (true) or report the running means as train metrics (false). */
  evaluateTrainSet: boolean;
}

export interface LoopData {
  train: DatasetHandle;
  validation?: DatasetHandle;
  test?: DatasetHandle;
}

export interface StepProgress {
  epoch: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  step: number;
  totalSteps: number;
  /** Mean batch loss of the last chunk. */
  loss: number;
}

export interface LoopCallbacks {
  onChunk?: (p: StepProgress) => void;
  /** Called after each completed epoch with the progress to checkpoint (the trainer holds the matching state). */
  onEpoch?: (record: EpochRecord, progress: RunProgress) => void | Promise<void>;
  /** Checked after each chunk: return true to pause (status `paused`); resume by calling runTraining with the progress. */
  shouldPause?: (progress: RunProgress) => boolean;
  /** Wall clock in milliseconds (performance.now where available); injectable for tests. */
  now?: () => number;
}

export function validateLoopConfig(c: TrainLoopConfig, trainCount: number): void {
  if (!Number.isInteger(c.epochs) || c.epochs < 1) throw new RangeError(`epochs must be an integer ≥ 1, got ${c.epochs}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) throw new RangeError(`batch size must be an integer ≥ 1, got ${c.batchSize}`);
  if (!Number.isInteger(c.stepsPerChunk) || c.stepsPerChunk < 1) throw new RangeError(`steps per chunk must be an integer ≥ 1, got ${c.stepsPerChunk}`);
  if (stepsPerEpoch(trainCount, c.batchSize, c.dropLast) < 1) {
    throw new RangeError(`the training set has ${trainCount} samples: not one batch of ${c.batchSize}`);
  }
  if (c.earlyStopping && (!Number.isInteger(c.earlyStopping.patience) || c.earlyStopping.patience < 1)) {
    throw new RangeError(`early-stopping patience must be an integer ≥ 1, got ${c.earlyStopping.patience}`);
  }
  validateSchedule(c.schedule);
}

const defaultNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Trains until `config.epochs` epochs are done, early stopping fires, the loss diverges, or shouldPause says so.
 * To resume, restore the trainer's state (trainer.setState) from the same point and pass the saved progress.
 * Returns the progress, whose status says how the run ended.
 */
export async function runTraining(
  trainer: Trainer,
  data: LoopData,
  config: TrainLoopConfig,
  callbacks: LoopCallbacks = {},
  resume?: RunProgress,
): Promise<RunProgress> {
  validateLoopConfig(config, data.train.count);
  if (config.earlyStopping && !data.validation) throw new RangeError('early stopping needs a validation split (set --val-split > 0)');
  const now = callbacks.now ?? defaultNow;
  const progress: RunProgress = resume ? structuredClone(resume) : freshProgress();
  // A completed run continues when asked for more epochs; diverged and early-stopped runs stay where they ended.
  const resumable = progress.status === 'running' || progress.status === 'paused' || (progress.status === 'completed' && progress.epochsDone < config.epochs);
  if (!resumable) return progress;
  progress.status = 'running';
  const perEpoch = stepsPerEpoch(data.train.count, config.batchSize, config.dropLast);
  const totalSteps = perEpoch * config.epochs;
  const baseLr = trainer.config.optimizer.lr;

  while (progress.epochsDone < config.epochs) {
    const epoch = progress.epochsDone;
    const order = epochOrder(data.train.count, config.seed, epoch, config.shuffle);
    const part = progress.partial ?? { stepInEpoch: 0, lossSum: 0, correct: 0, samples: 0, seconds: 0 };
    let started = now();
    let lastLr = baseLr;
    while (part.stepInEpoch < perEpoch) {
      const first = part.stepInEpoch;
      // Full batches go in chunks; the epoch's last, smaller batch (if kept) is a chunk of its own.
      const fullSteps = Math.floor(data.train.count / config.batchSize);
      const batch = first < fullSteps ? config.batchSize : data.train.count - fullSteps * config.batchSize;
      const steps = first < fullSteps ? Math.min(config.stepsPerChunk, fullSteps - first) : 1;
      const begin = first * config.batchSize;
      const indices = order.subarray(begin, begin + steps * batch);
      const lrs = scheduleChunk(config.schedule, baseLr, progress.step, steps, totalSteps);
      lastLr = lrs[steps - 1];
      const result = await trainer.train(data.train, { indices, batchSize: batch, lrs });
      let chunkLoss = 0;
      for (let s = 0; s < steps; s++) {
        const loss = result.stepLosses[s];
        if (!Number.isFinite(loss)) {
          progress.status = 'diverged';
          progress.divergedAtStep = progress.step + s;
          progress.step += steps;
          progress.partial = null;
          return progress;
        }
        chunkLoss += loss;
        part.lossSum += loss * batch;
      }
      part.correct += result.correct;
      part.samples += result.samples;
      part.stepInEpoch += steps;
      progress.step += steps;
      callbacks.onChunk?.({ epoch: epoch + 1, stepInEpoch: part.stepInEpoch, stepsPerEpoch: perEpoch, step: progress.step, totalSteps, loss: chunkLoss / steps });
      if (part.stepInEpoch < perEpoch && callbacks.shouldPause?.(progress)) {
        part.seconds += (now() - started) / 1000;
        progress.partial = part;
        progress.status = 'paused';
        return progress;
      }
    }

    const record = await evaluateEpoch(trainer, data, config, epoch + 1, progress.step, lastLr, part);
    record.seconds = part.seconds + (now() - started) / 1000;
    started = now();
    progress.history.push(record);
    progress.epochsDone++;
    progress.partial = null;
    if (!Number.isFinite(record.trainLoss) || record.weightNorms.some((n) => !Number.isFinite(n))) {
      progress.status = 'diverged';
      progress.divergedAtStep = progress.step;
      return progress;
    }
    if (record.valLoss !== null) updateEarlyStopping(progress, record, config.earlyStopping);
    await callbacks.onEpoch?.(record, progress);
    if (config.earlyStopping && progress.epochsWithoutImprovement >= config.earlyStopping.patience) {
      progress.status = 'early-stopped';
      return progress;
    }
    if (progress.epochsDone < config.epochs && callbacks.shouldPause?.(progress)) {
      progress.status = 'paused';
      return progress;
    }
  }
  progress.status = 'completed';
  return progress;
}

function updateEarlyStopping(progress: RunProgress, record: EpochRecord, es: EarlyStopping | undefined): void {
  const minDelta = es?.minDelta ?? 0;
  if (progress.bestValLoss === null || record.valLoss! < progress.bestValLoss - minDelta) {
    progress.bestValLoss = record.valLoss;
    progress.bestEpoch = record.epoch;
    progress.epochsWithoutImprovement = 0;
  } else {
    progress.epochsWithoutImprovement++;
  }
}

async function evaluateEpoch(
  trainer: Trainer, data: LoopData, config: TrainLoopConfig, epoch: number, step: number, lr: number,
  part: { lossSum: number; correct: number; samples: number },
): Promise<EpochRecord> {
  const runningLoss = part.lossSum / part.samples;
  const runningAccuracy = part.correct / part.samples;
  const train = config.evaluateTrainSet ? await trainer.evaluate(data.train) : { loss: runningLoss, accuracy: runningAccuracy };
  const val = data.validation ? await trainer.evaluate(data.validation) : null;
  const test = data.test ? await trainer.evaluate(data.test) : null;
  const norms = weightNormsFromSquared(await trainer.weightSquaredNorms());
  return {
    epoch,
    step,
    lr,
    trainLoss: train.loss,
    trainAccuracy: train.accuracy,
    runningLoss,
    runningAccuracy,
    valLoss: val?.loss ?? null,
    valAccuracy: val?.accuracy ?? null,
    testLoss: test?.loss ?? null,
    testAccuracy: test?.accuracy ?? null,
    weightNorms: norms,
    seconds: 0,
  };
}
