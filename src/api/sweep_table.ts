// The comparison table of a sweep from its runs' latest epochs: accuracies, gap, weight norms, best coefficient.
import type { RunView, SweepView } from './backend';

export interface SweepRecord {
  id: string;
  owner: string;
  mode: string;
  coefficients: number[];
  runIds: string[];
}

export function sweepView(sweep: SweepRecord, runs: (RunView | null)[], baseUrl: string): SweepView {
  const rows = sweep.coefficients.map((coefficient, i) => {
    const run = runs[i];
    const last = run?.latest ?? null;
    const reference = last?.testAccuracy ?? last?.valAccuracy ?? null;
    return {
      coefficient,
      runId: sweep.runIds[i],
      status: run?.status ?? ('cancelled' as const),
      trainAccuracy: last?.trainAccuracy ?? null,
      testAccuracy: last?.testAccuracy ?? null,
      valAccuracy: last?.valAccuracy ?? null,
      valLoss: last?.valLoss ?? null,
      // Train − test accuracy (train − validation when the run has no test split).
      gap: last && reference !== null ? last.trainAccuracy - reference : null,
      weightNorms: last?.weightNorms ?? null,
    };
  });
  const active = runs.some((r) => r && (r.status === 'queued' || r.status === 'running'));
  const failed = runs.some((r) => !r || r.status === 'failed' || r.status === 'cancelled');
  return {
    id: sweep.id,
    url: `${baseUrl}/v1/sweeps/${sweep.id}`,
    status: active ? 'running' : failed ? 'failed' : 'completed',
    mode: sweep.mode,
    rows,
    best: active ? null : bestRow(rows),
  };
}

/** Lowest validation loss when the runs have a validation split (λ is chosen on validation, never on test). */
function bestRow(rows: SweepView['rows']): SweepView['best'] {
  const withVal = rows.filter((r) => r.valLoss !== null);
  if (withVal.length > 0) {
    const best = withVal.reduce((a, b) => (b.valLoss! < a.valLoss! ? b : a));
    return { coefficient: best.coefficient, by: 'lowest validation loss' };
  }
  const withTest = rows.filter((r) => r.testAccuracy !== null);
  if (withTest.length > 0) {
    const best = withTest.reduce((a, b) => (b.testAccuracy! > a.testAccuracy! ? b : a));
    return { coefficient: best.coefficient, by: 'highest test accuracy (no validation split)' };
  }
  return null;
}
