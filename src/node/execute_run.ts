// Runs one configuration on an engine: datasets in, training loop with progress and per-epoch checkpoints,
// weights out as safetensors. Shared by `train` and `sweep`.
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelParams } from '../core/params';
import type { Splits } from '../data/splits';
import { encodeCheckpoint, type Checkpoint } from '../train/checkpoint';
import { stepsPerEpoch } from '../train/epoch_order';
import { finalMetrics, type RunConfigRecord, type RunResult } from '../train/results';
import { encodeSafetensors } from '../train/safetensors';
import { runTraining } from '../train/train_loop';
import type { Engine } from './engine';
import { epochTableHeader, epochTableRow } from './epoch_table';
import { createProgressBar } from './progress_bar';

export interface ExecuteOptions {
  outDir: string;
  initialParams?: ModelParams;
  resume?: Checkpoint;
  stepsPerChunk: number;
  evaluateTrainSet: boolean;
  quiet: boolean;
  log: (line: string) => void;
}

/** Fills the data counts and converts the step schedule's epochs to steps; returns the record that is run. */
export function finishConfig(cfg: RunConfigRecord, splits: Splits): RunConfigRecord {
  const perEpoch = stepsPerEpoch(splits.train.count, cfg.batchSize, cfg.dropLast);
  return {
    ...cfg,
    schedule: cfg.schedule.kind === 'step' ? { ...cfg.schedule, stepSize: cfg.schedule.stepSize * perEpoch } : cfg.schedule,
    data: { ...cfg.data, trainCount: splits.train.count, valCount: splits.validation?.count ?? 0, testCount: splits.test?.count ?? 0 },
  };
}

function writeAtomically(path: string, bytes: Uint8Array | string): void {
  // A checkpoint is either the old one or the new one, never half of each, if the process dies mid-write.
  writeFileSync(path + '.tmp', bytes);
  renameSync(path + '.tmp', path);
}

export async function executeRun(engine: Engine, cfg: RunConfigRecord, splits: Splits, o: ExecuteOptions): Promise<{ result: RunResult; params: ModelParams }> {
  const started = performance.now();
  const trainer = await engine.createTrainer({ spec: cfg.spec, optimizer: cfg.optimizer, decay: cfg.decay, seed: cfg.seed, initialParams: o.initialParams });
  try {
    const data = {
      train: await trainer.addDataset(splits.train),
      ...(splits.validation ? { validation: await trainer.addDataset(splits.validation) } : {}),
      ...(splits.test ? { test: await trainer.addDataset(splits.test) } : {}),
    };
    if (o.resume) await trainer.setState(o.resume.state);
    mkdirSync(join(o.outDir, 'checkpoints'), { recursive: true });
    mkdirSync(join(o.outDir, 'weights'), { recursive: true });
    const checkpoint = join('checkpoints', `${cfg.name}.ckpt`);
    const weights = join('weights', `${cfg.name}.safetensors`);
    const bar = createProgressBar(cfg.name, !o.quiet);
    if (!o.quiet) {
      o.log(`\n${cfg.name}: ${[cfg.spec.inputSize, ...cfg.spec.hidden, cfg.spec.classes].join('-')} ${cfg.optimizer.kind} lr ${cfg.optimizer.lr} ${cfg.decay.mode} ${cfg.decay.coefficient}, ${cfg.data.trainCount} train / ${cfg.data.valCount} val / ${cfg.data.testCount} test, ${engine.kind}`);
      o.log(epochTableHeader(cfg.spec.hidden.length + 1));
    }
    const progress = await runTraining(
      trainer,
      data,
      {
        epochs: cfg.epochs, batchSize: cfg.batchSize, seed: cfg.seed, shuffle: cfg.data.shuffle, dropLast: cfg.dropLast,
        schedule: cfg.schedule, stepsPerChunk: o.stepsPerChunk, evaluateTrainSet: o.evaluateTrainSet,
        ...(cfg.earlyStopping ? { earlyStopping: cfg.earlyStopping } : {}),
      },
      {
        onChunk: (p) => bar.update(p),
        onEpoch: async (record, p) => {
          const bytes = encodeCheckpoint(await trainer.getState(), {
            spec: cfg.spec, optimizer: cfg.optimizer, decay: cfg.decay, seed: cfg.seed, progress: p, extra: { config: cfg },
          });
          writeAtomically(join(o.outDir, checkpoint), bytes);
          if (!o.quiet) {
            bar.stop();
            o.log(epochTableRow(record));
          }
        },
      },
      o.resume?.meta.progress,
    );
    bar.stop();
    if (progress.status === 'diverged') o.log(`${cfg.name}: diverged — the batch loss was not finite at step ${progress.divergedAtStep}`);
    if (progress.status === 'early-stopped') o.log(`${cfg.name}: early stopping after epoch ${progress.epochsDone} (best validation loss at epoch ${progress.bestEpoch})`);
    const params = await trainer.getParams();
    writeAtomically(join(o.outDir, weights), encodeSafetensors(cfg.spec, params, { format: 'pt', decaylab: JSON.stringify({ name: cfg.name, status: progress.status }) }));
    const result: RunResult = {
      config: cfg,
      status: progress.status,
      divergedAtStep: progress.divergedAtStep,
      bestEpoch: progress.bestEpoch,
      history: progress.history,
      final: finalMetrics(progress.history),
      weightHistograms: [],
      files: { weights, checkpoint: progress.history.length > 0 ? checkpoint : null },
      seconds: (performance.now() - started) / 1000,
    };
    return { result, params };
  } finally {
    trainer.destroy();
  }
}
