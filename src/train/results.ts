// results.json and results.csv: the record of a train / sweep / evaluate command (documented in docs/results-json.md).
import type { DecayConfig, OptimizerConfig } from '../core/optimizer';
import type { EngineKind } from '../core/trainer';
import type { ModelSpec } from '../core/spec';
import type { ScheduleConfig } from './schedule';
import type { EpochRecord, RunStatus } from './run_progress';
import type { Histogram } from './analysis';

export const RESULTS_FORMAT_VERSION = 1;

export interface DataRecord {
  /** "mnist" or the CSV path. */
  source: string;
  testSource: string | null;
  normalise: 'scale' | 'standardise';
  trainSubset: number | null;
  testSubset: number | null;
  valSplit: number;
  shuffle: boolean;
  trainCount: number;
  valCount: number;
  testCount: number;
}

/** Everything that determines a run, so that it can be repeated. */
export interface RunConfigRecord {
  name: string;
  engine: EngineKind;
  spec: ModelSpec;
  optimizer: OptimizerConfig;
  decay: DecayConfig;
  seed: number;
  epochs: number;
  batchSize: number;
  dropLast: boolean;
  schedule: ScheduleConfig;
  earlyStopping: { patience: number; minDelta: number } | null;
  data: DataRecord;
  /** safetensors file the parameters started from, or null for the seeded PyTorch-default init. */
  init: string | null;
}

export interface FinalMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  testLoss: number | null;
  testAccuracy: number | null;
  /** trainAccuracy − testAccuracy (null without a test set). */
  gap: number | null;
  weightNorms: number[];
}

export interface RunResult {
  config: RunConfigRecord;
  status: RunStatus;
  divergedAtStep: number | null;
  bestEpoch: number | null;
  history: EpochRecord[];
  /** Metrics of the last completed epoch; null when no epoch completed. */
  final: FinalMetrics | null;
  /** Per layer, weights of the final parameters on the sweep's common range. */
  weightHistograms: Histogram[];
  /** Paths relative to the results directory. */
  files: { weights: string | null; checkpoint: string | null };
  seconds: number;
}

export interface EvaluationRecord {
  checkpoint: string;
  split: 'train' | 'val' | 'test';
  loss: number;
  accuracy: number;
  count: number;
  perClassAccuracy: (number | null)[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
}

export interface ResultsFile {
  format: 'decaylab-results';
  version: number;
  command: 'train' | 'sweep' | 'evaluate';
  createdAt: string;
  runs: RunResult[];
  /** Index into runs of the lowest final validation loss, and its decay coefficient. */
  best: { run: number; coefficient: number; valLoss: number } | null;
  evaluation?: EvaluationRecord;
}

export function finalMetrics(history: EpochRecord[]): FinalMetrics | null {
  const e = history[history.length - 1];
  if (!e) return null;
  return {
    epoch: e.epoch,
    trainLoss: e.trainLoss,
    trainAccuracy: e.trainAccuracy,
    valLoss: e.valLoss,
    valAccuracy: e.valAccuracy,
    testLoss: e.testLoss,
    testAccuracy: e.testAccuracy,
    gap: e.testAccuracy === null ? null : e.trainAccuracy - e.testAccuracy,
    weightNorms: e.weightNorms,
  };
}

export function bestRun(runs: RunResult[]): ResultsFile['best'] {
  let best: ResultsFile['best'] = null;
  runs.forEach((r, i) => {
    const v = r.final?.valLoss;
    if (v != null && (best === null || v < best.valLoss)) best = { run: i, coefficient: r.config.decay.coefficient, valLoss: v };
  });
  return best;
}

/** JSON text; non-finite numbers (a diverged run's last loss) become null, which JSON.stringify would do silently. */
export function resultsJson(file: ResultsFile): string {
  return JSON.stringify(file, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

const CSV_COLUMNS = [
  'run', 'name', 'optimizer', 'mode', 'coefficient', 'epoch', 'step', 'lr', 'trainLoss', 'trainAccuracy', 'runningLoss',
  'valLoss', 'valAccuracy', 'testLoss', 'testAccuracy', 'gap',
] as const;

/** One row per (run, epoch); weight norms as weightNorm0, weightNorm1, …; numbers at full double precision. */
export function resultsCsv(runs: RunResult[]): string {
  const layers = Math.max(0, ...runs.map((r) => r.config.spec.hidden.length + 1));
  const header = [...CSV_COLUMNS, ...Array.from({ length: layers }, (_, l) => `weightNorm${l}`), 'seconds'];
  const rows = [header.join(',')];
  const num = (v: number | null): string => (v === null || !Number.isFinite(v) ? '' : String(v));
  runs.forEach((r, i) => {
    for (const e of r.history) {
      const gap = e.testAccuracy === null ? null : e.trainAccuracy - e.testAccuracy;
      rows.push([
        String(i), r.config.name, r.config.optimizer.kind, r.config.decay.mode, num(r.config.decay.coefficient), String(e.epoch), String(e.step),
        num(e.lr), num(e.trainLoss), num(e.trainAccuracy), num(e.runningLoss), num(e.valLoss), num(e.valAccuracy), num(e.testLoss),
        num(e.testAccuracy), num(gap), ...Array.from({ length: layers }, (_, l) => num(e.weightNorms[l] ?? null)), num(e.seconds),
      ].join(','));
    }
  });
  return rows.join('\n') + '\n';
}
