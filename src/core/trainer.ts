// The one engine interface. Two implementations: GpuTrainer (src/gpu) and CpuTrainer (src/cpu).
import type { Dataset } from './dataset';
import type { DecayConfig, OptimizerConfig } from './optimizer';
import type { ModelParams } from './params';
import type { ModelSpec } from './spec';

export type EngineKind = 'gpu' | 'cpu';

export interface TrainerConfig {
  spec: ModelSpec;
  optimizer: OptimizerConfig;
  decay: DecayConfig;
  /** Seeds the PyTorch-default initialisation unless `initialParams` is given. */
  seed: number;
  initialParams?: ModelParams;
}

/** A dataset the trainer holds (on the GPU for the GPU engine); made once by `addDataset`. */
export interface DatasetHandle {
  readonly id: number;
  readonly count: number;
  readonly dim: number;
  readonly classes: number;
}

export interface TrainChunk {
  /** Sample indices into the dataset, steps × batchSize; step s trains on [s·B, (s+1)·B). */
  indices: Uint32Array;
  batchSize: number;
  /** Learning rate of each step (length = steps): schedules are computed by the caller. */
  lrs: Float32Array;
}

export interface TrainChunkResult {
  /** Mean batch loss of each step, before that step's update. */
  stepLosses: Float32Array;
  /** Correct predictions over all samples of the chunk (each counted at its step, before its update). */
  correct: number;
  samples: number;
}

export interface EvaluateResult {
  /** Mean softmax cross-entropy over the samples. */
  loss: number;
  accuracy: number;
  correct: number;
  count: number;
  /** Predicted class of each sample, when asked for. */
  predictions?: Uint32Array;
}

/** Optimizer state of one tensor, by kind: SGD keeps `momentum`, Adam keeps `m` and `v`. */
export interface OptimizerState {
  /** Optimizer steps taken (Adam's t; SGD's "first step" flag). */
  step: number;
  /** Per layer, buffers of the same shapes as the parameters; absent where the optimizer keeps none. */
  momentum?: ModelParams;
  m?: ModelParams;
  v?: ModelParams;
}

export interface TrainerState {
  params: ModelParams;
  optimizer: OptimizerState;
}

export interface Trainer {
  readonly engine: EngineKind;
  readonly config: TrainerConfig;
  /** Optimizer steps taken so far. */
  readonly step: number;

  addDataset(ds: Dataset): Promise<DatasetHandle>;
  /** Trains one step per batch of the chunk; reads back only the chunk's metrics at its end. */
  train(data: DatasetHandle, chunk: TrainChunk): Promise<TrainChunkResult>;
  /** Loss and accuracy over the given samples (all when `indices` is omitted). */
  evaluate(data: DatasetHandle, options?: { indices?: Uint32Array; predictions?: boolean }): Promise<EvaluateResult>;
  /** Class probabilities (count, classes) of the given samples. */
  predictProbabilities(data: DatasetHandle, indices?: Uint32Array): Promise<Float32Array>;
  /** ‖W_l‖² of each layer's weight matrix (biases excluded), reduced on the engine. */
  weightSquaredNorms(): Promise<number[]>;
  getParams(): Promise<ModelParams>;
  getState(): Promise<TrainerState>;
  setState(state: TrainerState): Promise<void>;
  destroy(): void;
}
