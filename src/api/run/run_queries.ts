// Read-side of a run: evaluation with per-class accuracy and confusion matrix, predictions, safetensors weights.
import { makeDataset, type Dataset } from '../../core/dataset';
import { initParams } from '../../core/init';
import { encodeSafetensors } from '../../train/safetensors';
import type { EvaluateRequest, EvaluationView, PredictionView } from '../backend';
import { invalidField } from '../problem';
import { inlineDataset } from './run_config';
import type { RunHost, RunRow } from './run_host';

/** Posted samples carry raw feature values; the run's own normalisation (scale/shift of its training split) applies. */
function withRunNormalisation(ds: Dataset, train: Dataset, field: string): Dataset {
  if (ds.dim !== train.dim) throw invalidField(field, `samples have ${ds.dim} features, the model expects ${train.dim}`);
  return makeDataset(ds.features, ds.labels, ds.dim, ds.classes, { scale: train.scale, shift: train.shift });
}

export async function evaluateRun(host: RunHost, row: RunRow, request: EvaluateRequest): Promise<EvaluationView> {
  const splits = await host.splitsOf(row);
  const classes = row.config.spec.classes;
  let ds: Dataset;
  let split: string;
  if (request.samples) {
    ds = withRunNormalisation(inlineDataset(request.samples, classes, 'samples'), splits.train, 'samples.features');
    split = 'samples';
  } else {
    const chosen = request.split === 'train' ? splits.train : request.split === 'validation' ? splits.validation : splits.test;
    if (!chosen) throw invalidField('split', `the run has no ${request.split} split${request.split === 'test' ? ' (post samples instead)' : ''}`);
    ds = chosen;
    split = request.split;
  }
  const { trainer } = await host.trainerAt(row, host.checkpoint());
  try {
    const handle = await trainer.addDataset(ds);
    const result = await trainer.evaluate(handle, { predictions: true });
    const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    for (let i = 0; i < ds.count; i++) confusion[ds.labels[i]][result.predictions![i]]++;
    const perClassAccuracy = confusion.map((rowCounts, c) => {
      const total = rowCounts.reduce((a, b) => a + b, 0);
      return total === 0 ? null : rowCounts[c] / total;
    });
    return { split, count: result.count, loss: result.loss, accuracy: result.accuracy, perClassAccuracy, confusion };
  } finally {
    trainer.destroy();
  }
}

export async function predictRun(host: RunHost, row: RunRow, features: number[][]): Promise<PredictionView> {
  const splits = await host.splitsOf(row);
  const { classes } = row.config.spec;
  const dim = features[0].length;
  const bad = features.findIndex((f) => f.length !== dim);
  if (bad >= 0) throw invalidField(`features.${bad}`, `sample ${bad} has ${features[bad].length} features, sample 0 has ${dim}`);
  const ds = withRunNormalisation(inlineDataset({ features, labels: features.map(() => 0) }, classes, 'features'), splits.train, 'features');
  const { trainer } = await host.trainerAt(row, host.checkpoint());
  try {
    const handle = await trainer.addDataset(ds);
    const probs = await trainer.predictProbabilities(handle);
    const probabilities: number[][] = [];
    const predictions: number[] = [];
    for (let i = 0; i < ds.count; i++) {
      const p = Array.from(probs.subarray(i * classes, (i + 1) * classes));
      probabilities.push(p);
      predictions.push(p.indexOf(Math.max(...p)));
    }
    return { probabilities, predictions };
  } finally {
    trainer.destroy();
  }
}

/** The latest good parameters (the seeded initialisation before the first chunk) as safetensors. */
export function runWeights(host: RunHost, row: RunRow): Uint8Array {
  const checkpoint = host.checkpoint();
  const params = checkpoint?.state.params ?? initParams(row.config.spec, row.config.seed);
  const step = checkpoint?.meta.progress.step ?? 0;
  return encodeSafetensors(row.config.spec, params, { run: row.id, step: String(step), status: row.status, decay: JSON.stringify(row.config.decay) });
}
