// A run's resolved configuration: the validated request with the model's sizes fixed by its dataset. Stored as JSON.
import { makeDataset, type Dataset } from '../../core/dataset';
import { defaultDecayMode, validateOptimizer, type DecayConfig, type OptimizerConfig } from '../../core/optimizer';
import type { ModelSpec } from '../../core/spec';
import { stepsPerEpoch } from '../../train/epoch_order';
import type { ScheduleConfig } from '../../train/schedule';
import type { TrainLoopConfig } from '../../train/train_loop';
import type { ApiLimits } from '../limits';
import { invalidField } from '../problem';
import { checkParameterLimit } from '../run_limits';
import type { RunRequest } from '../schemas';

export interface RunDatasetConfig {
  /** Stored dataset name, or null for inline samples (kept in the run's own storage). */
  name: string | null;
  take: number | null;
  testTake: number | null;
  validationFraction: number;
  normalize: 'scale' | 'standardize';
}

export interface RunConfig {
  spec: ModelSpec;
  optimizer: OptimizerConfig;
  decay: DecayConfig;
  schedule: ScheduleConfig;
  epochs: number;
  batchSize: number;
  seed: number;
  shuffle: boolean;
  dropLast: boolean;
  dataset: RunDatasetConfig;
  /** Samples of the training split (after take and validation hold-out): fixes the step count. */
  trainCount: number;
  totalSteps: number;
  /** Set when the run belongs to a sweep. */
  sweepId: string | null;
}

/** Inline samples → a float32 Dataset; labels must fit `classes`. */
export function inlineDataset(samples: { features: number[][]; labels: number[] }, classes: number, field: string): Dataset {
  const dim = samples.features[0].length;
  const features = new Float32Array(samples.features.length * dim);
  samples.features.forEach((row, i) => features.set(row, i * dim));
  const bad = samples.labels.findIndex((l) => l >= classes);
  if (bad >= 0) throw invalidField(`${field}.labels.${bad}`, `label ${samples.labels[bad]} is out of range [0, ${classes})`);
  return makeDataset(features, Uint8Array.from(samples.labels), dim, classes);
}

export function inlineClasses(r: RunRequest): number {
  const labels = [...(r.dataset.samples?.labels ?? []), ...(r.dataset.testSamples?.labels ?? [])];
  return r.dataset.classes ?? r.model.classes ?? Math.max(2, labels.reduce((a, b) => Math.max(a, b), 0) + 1);
}

/** Fixes the model sizes from the training data and checks that everything fits together. */
export function resolveRunConfig(r: RunRequest, train: { dim: number; classes: number; trainCount: number }, limits: ApiLimits, sweepId: string | null = null): RunConfig {
  if (r.model.inputSize !== undefined && r.model.inputSize !== train.dim) {
    throw invalidField('model.inputSize', `the dataset has ${train.dim} features per sample, the model says ${r.model.inputSize}`);
  }
  const classes = r.model.classes ?? train.classes;
  if (classes < train.classes) throw invalidField('model.classes', `the dataset has ${train.classes} classes, the model only ${classes}`);
  const spec: ModelSpec = { inputSize: train.dim, hidden: r.model.hidden, classes };
  checkParameterLimit(spec, limits);
  const optimizer: OptimizerConfig = { ...r.optimizer };
  const decay: DecayConfig = { mode: r.decay.mode ?? defaultDecayMode(r.optimizer.kind), coefficient: r.decay.coefficient, decayBiases: r.decay.decayBiases };
  try {
    validateOptimizer(optimizer, decay);
  } catch (e) {
    throw invalidField('optimizer', (e as Error).message);
  }
  const perEpoch = stepsPerEpoch(train.trainCount, r.batchSize, r.dropLast);
  if (perEpoch < 1) throw invalidField('batchSize', `the training split has ${train.trainCount} samples: not one full batch of ${r.batchSize} (set dropLast false or a smaller batch)`);
  return {
    spec,
    optimizer,
    decay,
    schedule: r.schedule,
    epochs: r.epochs,
    batchSize: r.batchSize,
    seed: r.seed,
    shuffle: r.shuffle,
    dropLast: r.dropLast,
    dataset: {
      name: r.dataset.name ?? null,
      take: r.dataset.take ?? null,
      testTake: r.dataset.testTake ?? null,
      validationFraction: r.dataset.validationFraction,
      normalize: r.dataset.normalize,
    },
    trainCount: train.trainCount,
    totalSteps: perEpoch * r.epochs,
    sweepId,
  };
}

export function loopConfig(c: RunConfig, stepsPerChunk: number): TrainLoopConfig {
  return {
    epochs: c.epochs,
    batchSize: c.batchSize,
    seed: c.seed,
    shuffle: c.shuffle,
    dropLast: c.dropLast,
    schedule: c.schedule,
    stepsPerChunk,
    evaluateTrainSet: true,
  };
}
