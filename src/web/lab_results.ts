// The record of a lab sweep: per run, a per-epoch history and the step losses; what is plotted, saved and shared.
import type { LabConfig } from './lab_config';

export interface EpochRecord {
  /** 0 is the initial model, before any step. */
  epoch: number;
  step: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** ‖W_l‖ (Frobenius, biases excluded) of each layer. */
  weightNorms: number[];
}

export interface RunRecord {
  label: string;
  mode: string;
  coefficient: number;
  history: EpochRecord[];
  /** Mean batch loss of each chunk, with the step it ended at: the live training-loss curve. */
  chunkLosses: { step: number; loss: number }[];
  /** Histogram of the first layer's weights at the last evaluation. */
  histogram?: { edges: number[]; counts: number[] };
  /** Predicted class of the first test digits at the last evaluation. */
  digitPredictions?: number[];
}

export interface LabResults {
  version: 1;
  engine: 'gpu' | 'cpu' | 'edge';
  config: LabConfig;
  runs: RunRecord[];
  /** Steps per second over the whole sweep (all runs together). */
  stepsPerSecond: number;
  createdAt: string;
}

/** Train − test accuracy of an epoch record, in percentage points: the generalization gap. */
export function generalizationGap(r: EpochRecord): number {
  return 100 * (r.trainAccuracy - r.testAccuracy);
}

/** Throws naming the first missing or malformed field: saved results come back from the network. */
export function assertLabResults(value: unknown): asserts value is LabResults {
  const v = value as Partial<LabResults> | null;
  if (!v || typeof v !== 'object') throw new TypeError('results: expected a JSON object');
  if (v.version !== 1) throw new TypeError(`results: unknown version ${String(v.version)}`);
  if (!v.config || typeof v.config !== 'object') throw new TypeError('results: config is missing');
  if (!Array.isArray(v.runs) || v.runs.length === 0) throw new TypeError('results: runs must be a non-empty array');
  v.runs.forEach((run, i) => {
    if (!Array.isArray(run?.history)) throw new TypeError(`results: runs[${i}].history must be an array`);
    if (!Array.isArray(run.chunkLosses)) throw new TypeError(`results: runs[${i}].chunkLosses must be an array`);
    for (const [j, h] of run.history.entries()) {
      for (const k of ['trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy'] as const) {
        if (typeof h[k] !== 'number') throw new TypeError(`results: runs[${i}].history[${j}].${k} must be a number`);
      }
    }
  });
}
