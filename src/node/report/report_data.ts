// Flat rows for the report's plots, derived only from results.json (so the report shows exactly what was recorded).
import type { ResultsFile } from '../../train/results';

export interface CurveRow { run: number; label: string; coefficient: number; epoch: number; split: 'train' | 'validation' | 'test'; loss: number; accuracy: number }
export interface SummaryRow { run: number; label: string; coefficient: number; measure: string; value: number }
export interface NormRow { run: number; label: string; epoch: number; layer: string; norm: number }
export interface HistogramRow { run: number; label: string; layer: string; binStart: number; binEnd: number; count: number }

/** Legend label of a run: its decay coefficient with mode (and optimizer when runs differ in it). */
export function runLabel(r: ResultsFile['runs'][number]): string {
  return `${r.config.decay.mode} ${r.config.decay.coefficient}`;
}

export function curveRows(f: ResultsFile): CurveRow[] {
  return f.runs.flatMap((r, run) => r.history.flatMap((e) => {
    const base = { run, label: runLabel(r), coefficient: r.config.decay.coefficient, epoch: e.epoch };
    const rows: CurveRow[] = [{ ...base, split: 'train', loss: e.trainLoss, accuracy: e.trainAccuracy }];
    if (e.valLoss !== null && e.valAccuracy !== null) rows.push({ ...base, split: 'validation', loss: e.valLoss, accuracy: e.valAccuracy });
    if (e.testLoss !== null && e.testAccuracy !== null) rows.push({ ...base, split: 'test', loss: e.testLoss, accuracy: e.testAccuracy });
    return rows;
  }));
}

/** Final train/test accuracy and gap per run (runs without a completed epoch are left out). */
export function summaryRows(f: ResultsFile): SummaryRow[] {
  return f.runs.flatMap((r, run) => {
    if (!r.final) return [];
    const base = { run, label: runLabel(r), coefficient: r.config.decay.coefficient };
    const rows: SummaryRow[] = [{ ...base, measure: 'train accuracy', value: r.final.trainAccuracy }];
    if (r.final.testAccuracy !== null) rows.push({ ...base, measure: 'test accuracy', value: r.final.testAccuracy });
    if (r.final.gap !== null) rows.push({ ...base, measure: 'gap (train − test)', value: r.final.gap });
    return rows;
  });
}

export function normRows(f: ResultsFile): NormRow[] {
  return f.runs.flatMap((r, run) => r.history.flatMap((e) => e.weightNorms.map((norm, l) => ({ run, label: runLabel(r), epoch: e.epoch, layer: `layer ${l}`, norm }))));
}

export function histogramRows(f: ResultsFile): HistogramRow[] {
  return f.runs.flatMap((r, run) => r.weightHistograms.flatMap((h, l) => h.counts.map((count, i) => ({
    run, label: runLabel(r), layer: `layer ${l}`, binStart: h.edges[i], binEnd: h.edges[i + 1], count,
  }))));
}
