// `evaluate --checkpoint FILE`: loss, accuracy, per-class accuracy and confusion matrix of a saved run.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSplits } from '../../data/splits';
import { decodeCheckpoint } from '../../train/checkpoint';
import { RESULTS_FORMAT_VERSION, type EvaluationRecord, type ResultsFile, type RunConfigRecord } from '../../train/results';
import { encodeSafetensors } from '../../train/safetensors';
import type { EngineKind } from '../../core/trainer';
import { openEngine } from '../engine';
import { loadDataFiles } from '../load_data';
import { writeResults } from '../write_results';
import type { CliIo } from '../cli_io';

export interface EvaluateFlags {
  checkpoint: string;
  split: 'train' | 'val' | 'test';
  engine?: EngineKind;
  out: string;
  quiet?: boolean;
}

export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predictions[i]]++;
  return m;
}

export async function evaluateCommand(flags: EvaluateFlags, io: CliIo): Promise<ResultsFile> {
  const ckpt = decodeCheckpoint(readFileSync(flags.checkpoint));
  const cfg = ckpt.meta.extra?.config as RunConfigRecord | undefined;
  if (!cfg?.data) throw new RangeError(`${flags.checkpoint} has no run config: it was not written by decaylab train/sweep`);
  // The same files, split options and seed rebuild exactly the split the run was trained and measured on.
  const files = loadDataFiles(cfg.data.source, cfg.data.testSource);
  const splits = makeSplits(files.train, files.test, {
    ...(cfg.data.trainSubset !== null ? { trainSubset: cfg.data.trainSubset } : {}),
    ...(cfg.data.testSubset != null ? { testSubset: cfg.data.testSubset } : {}),
    valSplit: cfg.data.valSplit, shuffle: cfg.data.shuffle, seed: cfg.seed, normalise: cfg.data.normalise,
  });
  const ds = flags.split === 'train' ? splits.train : flags.split === 'val' ? splits.validation : splits.test;
  if (!ds) throw new RangeError(`the run has no ${flags.split === 'val' ? 'validation split' : 'test set'} to evaluate`);
  const engine = await openEngine(flags.engine, io.err);
  let evaluation: EvaluationRecord;
  try {
    const trainer = await engine.createTrainer({ spec: ckpt.meta.spec, optimizer: ckpt.meta.optimizer, decay: ckpt.meta.decay, seed: ckpt.meta.seed });
    try {
      await trainer.setState(ckpt.state);
      const handle = await trainer.addDataset(ds);
      const r = await trainer.evaluate(handle, { predictions: true });
      const confusion = confusionMatrix(ds.labels, r.predictions!, ds.classes);
      evaluation = {
        checkpoint: flags.checkpoint, split: flags.split, loss: r.loss, accuracy: r.accuracy, count: r.count,
        perClassAccuracy: confusion.map((row, c) => {
          const n = row.reduce((a, b) => a + b, 0);
          return n === 0 ? null : row[c] / n;
        }),
        confusion,
      };
    } finally {
      trainer.destroy();
    }
  } finally {
    engine.close();
  }
  if (!flags.quiet) printEvaluation(evaluation, io);
  const history = ckpt.meta.progress.history;
  const results: ResultsFile = {
    format: 'decaylab-results', version: RESULTS_FORMAT_VERSION, command: 'evaluate', createdAt: new Date().toISOString(),
    runs: [{
      config: cfg, status: ckpt.meta.progress.status, divergedAtStep: ckpt.meta.progress.divergedAtStep, bestEpoch: ckpt.meta.progress.bestEpoch,
      history, final: null, weightHistograms: [], files: { weights: join('weights', `${cfg.name}.safetensors`), checkpoint: null }, seconds: 0,
    }],
    best: null,
    evaluation,
  };
  mkdirSync(join(flags.out, 'weights'), { recursive: true });
  writeFileSync(join(flags.out, 'weights', `${cfg.name}.safetensors`), encodeSafetensors(ckpt.meta.spec, ckpt.state.params, { format: 'pt' }));
  await writeResults(flags.out, results, false);
  return results;
}

function printEvaluation(e: EvaluationRecord, io: CliIo): void {
  io.out(`${e.split}: ${e.count} samples, loss ${e.loss.toFixed(4)}, accuracy ${(100 * e.accuracy).toFixed(2)}%`);
  io.out('per-class accuracy: ' + e.perClassAccuracy.map((a, c) => `${c}: ${a === null ? '—' : (100 * a).toFixed(1) + '%'}`).join('  '));
  io.out('confusion matrix (rows: true class, columns: predicted):');
  const w = Math.max(5, ...e.confusion.flat().map((n) => String(n).length + 1));
  io.out('     ' + e.confusion.map((_, c) => String(c).padStart(w)).join(''));
  e.confusion.forEach((row, c) => io.out(String(c).padStart(5) + row.map((n) => String(n).padStart(w)).join('')));
}
