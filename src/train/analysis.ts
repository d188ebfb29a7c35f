// What the report plots: generalization gap, weight norms, weight histograms, and the best λ on validation.
import type { ModelParams } from '../core/params';
import type { EpochRecord } from './run_progress';

/** Train accuracy − test (or validation) accuracy: positive when the network fits its training set better. */
export function generalizationGap(e: Pick<EpochRecord, 'trainAccuracy' | 'testAccuracy'>): number | null {
  return e.testAccuracy === null ? null : e.trainAccuracy - e.testAccuracy;
}

/** ‖W_l‖ (Frobenius) per layer from the trainer's squared norms. */
export function weightNormsFromSquared(squared: number[]): number[] {
  return squared.map((s) => Math.sqrt(s));
}

/** ‖W_l‖ computed on the host in float64, for checking what an engine reports. */
export function weightNorms(params: ModelParams): number[] {
  return params.map((l) => {
    let s = 0;
    for (let i = 0; i < l.weight.length; i++) s += l.weight[i] * l.weight[i];
    return Math.sqrt(s);
  });
}

export interface Histogram {
  /** bins + 1 edges, increasing; bin i counts values in [edges[i], edges[i+1]) (the last bin includes its right edge). */
  edges: number[];
  counts: number[];
}

/** Histogram of `values` over [min, max] (their own range when omitted) in `bins` equal bins; non-finite values are skipped. */
export function histogram(values: ArrayLike<number>, bins: number, range?: { min: number; max: number }): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`histogram needs an integer number of bins ≥ 1, got ${bins}`);
  let min = range?.min ?? Infinity;
  let max = range?.max ?? -Infinity;
  if (!range) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    if (min === Infinity) (min = 0), (max = 0);
  }
  if (max <= min) max = min + 1e-12;
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || v < min || v > max) continue;
    counts[Math.min(Math.floor((v - min) / width), bins - 1)]++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + i * width);
  return { edges, counts };
}

/** Histograms of every layer's weights on one shared range, so that runs with different λ compare bin for bin. */
export function weightHistograms(params: ModelParams, bins: number, range: { min: number; max: number }): Histogram[] {
  return params.map((l) => histogram(l.weight, bins, range));
}

/** Symmetric range ±max|w| over all weights of several models: the common axis for their histograms. */
export function commonWeightRange(models: ModelParams[]): { min: number; max: number } {
  let m = 0;
  // Non-finite weights (a diverged run) are left out, or they would make the range NaN for every run.
  for (const p of models) for (const l of p) for (let i = 0; i < l.weight.length; i++) if (Number.isFinite(l.weight[i])) m = Math.max(m, Math.abs(l.weight[i]));
  return { min: -m, max: m };
}

/** Index of the run with the lowest validation loss at its last epoch (ties → the first); null if none has a validation split. */
export function bestByValidation(runs: { history: EpochRecord[] }[]): number | null {
  let best: number | null = null;
  let bestLoss = Infinity;
  runs.forEach((r, i) => {
    const last = r.history[r.history.length - 1];
    if (last?.valLoss != null && last.valLoss < bestLoss) {
      bestLoss = last.valLoss;
      best = i;
    }
  });
  return best;
}
