// `train` and `sweep`: the same data and seed for every decay coefficient, one run each (batched on the GPU engine),
// then results and report.
import { readFileSync } from 'node:fs';
import { makeSplits } from '../../data/splits';
import type { ModelParams } from '../../core/params';
import { decodeCheckpoint, type Checkpoint } from '../../train/checkpoint';
import { commonWeightRange, weightHistograms } from '../../train/analysis';
import { bestRun, RESULTS_FORMAT_VERSION, type ResultsFile, type RunResult } from '../../train/results';
import { paramsFromSafetensors } from '../../train/safetensors';
import { openEngine } from '../engine';
import { executeBatchedRuns, executeRuns, finishConfig } from '../execute_run';
import { loadDataFiles } from '../load_data';
import { defaultVariantCacheFile, openVariantCache } from '../variant_cache';
import { runConfig, runName, type RunFlags } from '../run_options';
import { writeResults } from '../write_results';
import type { CliIo } from '../cli_io';

const HISTOGRAM_BINS = 40;

export interface ManyOptions {
  command: 'train' | 'sweep';
  coefficients: number[];
  /** train only: continue from this checkpoint (written by an earlier run with the same flags). */
  resume?: string;
  /** sweep: train the coefficients together on an engine that batches (GPU); false runs them one after another. */
  batch?: boolean;
}

export async function runMany(flags: RunFlags, o: ManyOptions, io: CliIo): Promise<ResultsFile> {
  if (o.coefficients.length === 0) throw new RangeError('--wd needs at least one coefficient');
  if (new Set(o.coefficients).size !== o.coefficients.length) throw new RangeError(`--wd lists a coefficient twice: ${o.coefficients.join(',')}`);
  const files = loadDataFiles(flags.dataset, flags.testDataset ?? null, parseLabelColumn(flags.labelColumn));
  const splits = makeSplits(files.train, files.test, {
    ...(flags.trainSubset !== undefined ? { trainSubset: flags.trainSubset } : {}),
    ...(flags.testSubset !== undefined ? { testSubset: flags.testSubset } : {}),
    valSplit: flags.valSplit, shuffle: flags.shuffle, seed: flags.seed, normalise: flags.standardise ? 'standardise' : 'scale',
  });
  let initialParams: ModelParams | undefined;
  if (flags.init) {
    const spec = { inputSize: files.train.dim, hidden: flags.hidden, classes: files.train.classes };
    initialParams = paramsFromSafetensors(readFileSync(flags.init), spec).params;
  }
  let resume: Checkpoint | undefined;
  if (o.resume) resume = decodeCheckpoint(readFileSync(o.resume));
  // A resumed run continues one checkpoint, so it is never batched; a single coefficient gains nothing from it.
  const batchable = o.batch !== false && !resume && o.coefficients.length > 1;
  const variantCache = flags.autotune ? openVariantCache(defaultVariantCacheFile(), io.err) : undefined;
  const engine = await openEngine(flags.engine, io.err, { batchedRuns: batchable ? o.coefficients.length : 1 }, { variantCache });
  if (!flags.quiet) io.err(`engine: ${engine.description}`);
  // llvmpipe compiles a pipeline at its first dispatch, not at creation: the first step waits for it.
  if (!flags.quiet && engine.kind === 'gpu' && engine.software) {
    io.err('note: a software WebGPU adapter compiles the kernels at the first step (20–40 s the first time on a machine; Mesa caches them on disk)');
  }
  const runs: RunResult[] = [];
  const params: ModelParams[] = [];
  try {
    const cfgs = o.coefficients.map((coefficient) => {
      const name = o.command === 'train' ? 'run' : runName(coefficient);
      const cfg = finishConfig(runConfig(flags, coefficient, name, engine.kind, files.train.dim, files.train.classes), splits);
      if (resume) checkResumable(resume, cfg);
      return cfg;
    });
    const execute = {
      outDir: flags.out, initialParams, resume, stepsPerChunk: flags.stepsPerChunk, evaluateTrainSet: flags.trainEval, quiet: flags.quiet ?? false, log: io.out,
    };
    if (batchable && engine.createBatch) {
      for (const { result, params: p } of await executeBatchedRuns(engine, cfgs, splits, execute)) {
        runs.push(result);
        params.push(p);
      }
    } else {
      for (const { result, params: p } of await executeRuns(engine, cfgs, splits, execute)) {
        runs.push(result);
        params.push(p);
      }
    }
  } finally {
    engine.close();
  }
  // One range for every run's histograms, so that bins line up across λ.
  const range = commonWeightRange(params);
  runs.forEach((r, i) => (r.weightHistograms = weightHistograms(params[i], HISTOGRAM_BINS, range)));
  const results: ResultsFile = {
    format: 'decaylab-results', version: RESULTS_FORMAT_VERSION, command: o.command, createdAt: new Date().toISOString(), runs, best: bestRun(runs),
  };
  const written = await writeResults(flags.out, results, true);
  if (!flags.quiet) {
    if (results.best) io.out(`\nbest on validation: ${runs[results.best.run].config.name} (validation loss ${results.best.valLoss.toFixed(4)})`);
    io.out(`wrote ${written.join(', ')}`);
  }
  return results;
}

function parseLabelColumn(raw: string | undefined): string | number | undefined {
  if (raw === undefined) return undefined;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

/** A checkpoint only continues the run that wrote it: same model, optimizer, decay, data and batch size. */
function checkResumable(c: Checkpoint, cfg: ReturnType<typeof finishConfig>): void {
  const saved = (c.meta.extra?.config ?? null) as typeof cfg | null;
  if (!saved) throw new RangeError('checkpoint has no run config: it was not written by decaylab train/sweep');
  const same = (k: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new RangeError(`--resume: the checkpoint's ${k} is ${JSON.stringify(a)}, the flags give ${JSON.stringify(b)}`);
  };
  same('model', saved.spec, cfg.spec);
  same('optimizer', saved.optimizer, cfg.optimizer);
  same('decay', saved.decay, cfg.decay);
  same('seed', saved.seed, cfg.seed);
  same('batch size', saved.batchSize, cfg.batchSize);
  same('data', { ...saved.data }, { ...cfg.data });
  same('schedule', saved.schedule, cfg.schedule);
}
