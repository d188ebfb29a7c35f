// Runs one configuration on an engine: datasets in, training loop with progress and per-epoch checkpoints,
// weights out as safetensors. Shared by `train` and `sweep`; executeRuns trains a sweep's runs one after another,
// executeBatchedRuns together; either way one progress bar covers every run, with the table rows printed above it.
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelParams } from '../core/params';
import type { Trainer } from '../core/trainer';
import type { Splits } from '../data/splits';
import { encodeCheckpoint, type Checkpoint } from '../train/checkpoint';
import { stepsPerEpoch } from '../train/epoch_order';
import { finalMetrics, type RunConfigRecord, type RunResult } from '../train/results';
import { encodeSafetensors } from '../train/safetensors';
import { Lockstep } from '../train/lockstep';
import { runTraining, type LoopData } from '../train/train_loop';
import type { Engine } from './engine';
import { epochTableHeader, epochTableRow } from './epoch_table';
import { createProgressBar, type ProgressBar } from './progress_bar';

export interface ExecuteOptions {
  outDir: string;
  initialParams?: ModelParams;
  resume?: Checkpoint;
  stepsPerChunk: number;
  evaluateTrainSet: boolean;
  quiet: boolean;
  log: (line: string) => void;
  /** The bar the run reports to; without one, each execute function draws its own over the runs it is given. */
  bar?: ProgressBar;
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

/** Steps the run takes if it neither stops early nor diverges: what it adds to the progress bar's total. */
export function plannedSteps(cfg: RunConfigRecord, splits: Splits): number {
  return cfg.epochs * stepsPerEpoch(splits.train.count, cfg.batchSize, cfg.dropLast);
}

/** A bar over the given runs, their steps planned up front (o.bar when the caller draws one over more runs). */
function barFor(label: string, cfgs: RunConfigRecord[], splits: Splits, o: ExecuteOptions): { bar: ProgressBar; owned: boolean } {
  const bar = o.bar ?? createProgressBar(label, { enabled: !o.quiet, out: o.log });
  for (const cfg of cfgs) bar.plan(cfg.name, plannedSteps(cfg, splits), o.resume?.meta.progress.step ?? 0);
  return { bar, owned: o.bar === undefined };
}

/** The runs one after another under one progress bar (steps of all runs, steps/s, ETA of the whole sweep). */
export async function executeRuns(engine: Engine, cfgs: RunConfigRecord[], splits: Splits, o: ExecuteOptions): Promise<{ result: RunResult; params: ModelParams }[]> {
  const { bar, owned } = barFor(cfgs.length === 1 ? cfgs[0].name : `sweep (${cfgs.length} runs)`, cfgs, splits, o);
  const out: { result: RunResult; params: ModelParams }[] = [];
  try {
    for (const cfg of cfgs) out.push(await executeRun(engine, cfg, splits, { ...o, bar }));
  } finally {
    if (owned) bar.stop();
  }
  return out;
}

export async function executeRun(engine: Engine, cfg: RunConfigRecord, splits: Splits, o: ExecuteOptions): Promise<{ result: RunResult; params: ModelParams }> {
  const started = performance.now();
  const { bar, owned } = barFor(cfg.name, [cfg], splits, o);
  const trainer = await engine.createTrainer({ spec: cfg.spec, optimizer: cfg.optimizer, decay: cfg.decay, seed: cfg.seed, initialParams: o.initialParams }, cfg.batchSize);
  try {
    const data = await addSplits(trainer, splits);
    if (o.resume) await trainer.setState(o.resume.state);
    if (!o.quiet) {
      bar.log(`\n${describeRun(cfg, engine.kind)}`);
      bar.log(epochTableHeader(cfg.spec.hidden.length + 1));
    }
    return await trainAndWrite(trainer, data, cfg, o, { bar, prefix: '', started });
  } finally {
    trainer.destroy();
    if (owned) bar.stop();
  }
}

/**
 * Runs the configs (one per decay coefficient, otherwise equal) on the engine's batched trainer: up to
 * engine.maxBatch models per group train in the same dispatches, each with its own loop (lockstep.ts), so every run
 * has its own history, divergence, early stopping, checkpoint and weights exactly as executeRun writes them.
 * One progress bar covers the whole sweep; the runs share one table, each row starting with the run's name.
 */
export async function executeBatchedRuns(engine: Engine, cfgs: RunConfigRecord[], splits: Splits, o: ExecuteOptions): Promise<{ result: RunResult; params: ModelParams }[]> {
  if (!engine.createBatch || !engine.maxBatch) throw new Error(`the ${engine.kind} engine has no batched trainer`);
  if (o.resume) throw new RangeError('a batched sweep cannot resume from a checkpoint; resume runs one at a time');
  const groups: RunConfigRecord[][] = [];
  for (let i = 0; i < cfgs.length; i += engine.maxBatch) groups.push(cfgs.slice(i, i + engine.maxBatch));
  const { bar, owned } = barFor(`sweep (${cfgs.length} runs)`, cfgs, splits, o);
  const out: { result: RunResult; params: ModelParams }[] = [];
  try {
    for (const group of groups) {
      const started = performance.now();
      const configs = group.map((cfg) => ({ spec: cfg.spec, optimizer: cfg.optimizer, decay: cfg.decay, seed: cfg.seed, initialParams: o.initialParams }));
      const batch = await engine.createBatch(configs, group[0].batchSize);
      // GpuSweep evaluates a model by running all K forward passes: a one-model trainer evaluates instead (lockstep.ts).
      const evaluator = await engine.createTrainer(configs[0], group[0].batchSize);
      try {
        const lockstep = new Lockstep(batch, { evaluator });
        const members = lockstep.trainers();
        // Datasets are uploaded once for the whole group: every member's handle is the same.
        const data = await addSplits(members[0], splits);
        const width = Math.max(3, ...group.map((c) => c.name.length));
        if (!o.quiet) {
          bar.log('');
          group.forEach((cfg) => bar.log(describeRun(cfg, engine.kind)));
          bar.log(`${'run'.padEnd(width)} ${epochTableHeader(group[0].spec.hidden.length + 1)}`);
        }
        const settled = await Promise.allSettled(group.map(async (cfg, m) => {
          try {
            return await trainAndWrite(members[m], data, cfg, o, { bar, prefix: `${cfg.name.padEnd(width)} `, started });
          } finally {
            // A finished (or failed) run no longer holds the others back.
            lockstep.leave(m);
          }
        }));
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
        for (const s of settled) if (s.status === 'fulfilled') out.push(s.value);
      } finally {
        evaluator.destroy();
        batch.destroy();
      }
    }
  } finally {
    if (owned) bar.stop();
  }
  return out;
}

async function addSplits(trainer: Trainer, splits: Splits): Promise<LoopData> {
  return {
    train: await trainer.addDataset(splits.train),
    ...(splits.validation ? { validation: await trainer.addDataset(splits.validation) } : {}),
    ...(splits.test ? { test: await trainer.addDataset(splits.test) } : {}),
  };
}

interface RunOutput {
  bar: ProgressBar;
  /** Starts each table row: the run's name when several runs share one table. */
  prefix: string;
  started: number;
}

function describeRun(cfg: RunConfigRecord, engineKind: string): string {
  return `${cfg.name}: ${[cfg.spec.inputSize, ...cfg.spec.hidden, cfg.spec.classes].join('-')} ${cfg.optimizer.kind} lr ${cfg.optimizer.lr} ${cfg.decay.mode} ${cfg.decay.coefficient}, ${cfg.data.trainCount} train / ${cfg.data.valCount} val / ${cfg.data.testCount} test, ${engineKind}`;
}

/** The training loop with checkpoints and tables, then the weights file and the run's result. */
async function trainAndWrite(trainer: Trainer, data: LoopData, cfg: RunConfigRecord, o: ExecuteOptions, w: RunOutput): Promise<{ result: RunResult; params: ModelParams }> {
  mkdirSync(join(o.outDir, 'checkpoints'), { recursive: true });
  mkdirSync(join(o.outDir, 'weights'), { recursive: true });
  const checkpoint = join('checkpoints', `${cfg.name}.ckpt`);
  const weights = join('weights', `${cfg.name}.safetensors`);
  const bar = w.bar;
  const progress = await runTraining(
    trainer,
    data,
    {
      epochs: cfg.epochs, batchSize: cfg.batchSize, seed: cfg.seed, shuffle: cfg.data.shuffle, dropLast: cfg.dropLast,
      schedule: cfg.schedule, stepsPerChunk: o.stepsPerChunk, evaluateTrainSet: o.evaluateTrainSet,
      ...(cfg.earlyStopping ? { earlyStopping: cfg.earlyStopping } : {}),
    },
    {
      onChunk: (p) => bar.update(cfg.name, p),
      onEpoch: async (record, p) => {
        const bytes = encodeCheckpoint(await trainer.getState(), {
          spec: cfg.spec, optimizer: cfg.optimizer, decay: cfg.decay, seed: cfg.seed, progress: p, extra: { config: cfg },
        });
        writeAtomically(join(o.outDir, checkpoint), bytes);
        if (!o.quiet) bar.log(w.prefix + epochTableRow(record));
      },
    },
    o.resume?.meta.progress,
  );
  bar.endRun(cfg.name);
  if (progress.status === 'diverged') bar.log(`${cfg.name}: diverged — the batch loss was not finite at step ${progress.divergedAtStep}`);
  if (progress.status === 'early-stopped') bar.log(`${cfg.name}: early stopping after epoch ${progress.epochsDone} (best validation loss at epoch ${progress.bestEpoch})`);
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
    seconds: (performance.now() - w.started) / 1000,
  };
  return { result, params };
}
