// Where a run stands: its per-epoch history and what early stopping and resumption need. Plain JSON.

/** Metrics after one epoch. Losses are mean softmax cross-entropy; accuracies are fractions in [0, 1]. */
export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /** Optimizer steps taken when the epoch ended. */
  step: number;
  /** lr of the epoch's last step. */
  lr: number;
  /** Evaluated on the whole training set after the epoch (with the epoch's final weights). */
  trainLoss: number;
  trainAccuracy: number;
  /** Mean over the epoch's steps, each batch measured before its update (what a progress bar shows). */
  runningLoss: number;
  runningAccuracy: number;
  /** null when the run has no validation split / test set. */
  valLoss: number | null;
  valAccuracy: number | null;
  testLoss: number | null;
  testAccuracy: number | null;
  /** Frobenius norm ‖W_l‖ of each layer's weight matrix (biases excluded). */
  weightNorms: number[];
  /** Wall-clock seconds of the epoch, evaluation included. */
  seconds: number;
}

export type RunStatus = 'running' | 'paused' | 'completed' | 'early-stopped' | 'diverged';

/** Running sums of an epoch cut short by a pause, so that the resumed epoch reports the same means. */
export interface PartialEpoch {
  stepInEpoch: number;
  lossSum: number;
  correct: number;
  samples: number;
  seconds: number;
}

export interface RunProgress {
  epochsDone: number;
  step: number;
  history: EpochRecord[];
  partial: PartialEpoch | null;
  bestValLoss: number | null;
  bestEpoch: number | null;
  epochsWithoutImprovement: number;
  status: RunStatus;
  /** The step whose batch loss was not finite, when status is `diverged`. */
  divergedAtStep: number | null;
}

export function freshProgress(): RunProgress {
  return {
    epochsDone: 0,
    step: 0,
    history: [],
    partial: null,
    bestValLoss: null,
    bestEpoch: null,
    epochsWithoutImprovement: 0,
    status: 'running',
    divergedAtStep: null,
  };
}
