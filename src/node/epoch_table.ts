// The per-epoch table a run prints: train/test loss and accuracy, validation loss, ‖W‖ per layer.
import type { EpochRecord } from '../train/run_progress';

const pct = (v: number | null): string => (v === null ? '—' : (100 * v).toFixed(2) + '%');
const fix = (v: number | null, d = 4): string => (v === null ? '—' : v.toFixed(d));

export function epochTableHeader(layers: number): string {
  const norms = Array.from({ length: layers }, (_, l) => `‖W${l}‖`.padStart(8)).join(' ');
  return `${'epoch'.padStart(5)} ${'train loss'.padStart(10)} ${'train acc'.padStart(9)} ${'val loss'.padStart(9)} ${'test loss'.padStart(9)} ${'test acc'.padStart(9)} ${norms} ${'s'.padStart(6)}`;
}

export function epochTableRow(e: EpochRecord): string {
  const norms = e.weightNorms.map((n) => fix(n, 3).padStart(8)).join(' ');
  return `${String(e.epoch).padStart(5)} ${fix(e.trainLoss).padStart(10)} ${pct(e.trainAccuracy).padStart(9)} ${fix(e.valLoss).padStart(9)} ${fix(e.testLoss).padStart(9)} ${pct(e.testAccuracy).padStart(9)} ${norms} ${e.seconds.toFixed(1).padStart(6)}`;
}
