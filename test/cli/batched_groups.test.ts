// executeBatchedRuns splits a sweep longer than the engine's batch into groups and gives every run what executeRun
// gives it. A CPU engine with a batch of 2 (tests/train/cpu_batch.ts) stands in for the GPU's 13, so five runs
// make groups of 2, 2 and 1 without a GPU.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainerConfig } from '../../src/core/trainer';
import { defaultOptimizer } from '../../src/core/optimizer';
import { gaussianBlobs } from '../../src/data/synthetic';
import { cpuEngine, type Engine } from '../../src/node/engine';
import { executeBatchedRuns, executeRun, finishConfig, type ExecuteOptions } from '../../src/node/execute_run';
import type { RunConfigRecord, RunResult } from '../../src/train/results';
import { defaultSchedule } from '../../src/train/schedule';
import { cpuBatch } from '../train/cpu_batch';

const splits = { train: gaussianBlobs(90, 5, 3, 31, 1.5), validation: gaussianBlobs(30, 5, 3, 32, 1.5), test: gaussianBlobs(40, 5, 3, 33, 1.5) };
const coefficients = [0, 1e-3, 1e-2, 0.1, 1000];

function config(coefficient: number): RunConfigRecord {
  return finishConfig({
    name: `wd=${coefficient}`, engine: 'cpu', spec: { inputSize: 5, hidden: [7], classes: 3 },
    optimizer: defaultOptimizer('sgd', { lr: 0.1, momentum: 0.9 }), decay: { mode: 'coupled', coefficient, decayBiases: false },
    seed: 3, epochs: 3, batchSize: 16, dropLast: false, schedule: defaultSchedule({ kind: 'cosine', warmupSteps: 2 }), earlyStopping: null,
    data: { source: 'blobs', testSource: null, normalise: 'scale', trainSubset: null, testSubset: null, valSplit: 0.25, shuffle: true, trainCount: 0, valCount: 0, testCount: 0 },
    init: null,
  }, splits);
}

const options = (outDir: string): ExecuteOptions => ({ outDir, stepsPerChunk: 3, evaluateTrainSet: true, quiet: true, log: () => {} });
const recorded = (r: RunResult) => ({ ...r, seconds: 0, history: r.history.map((e) => ({ ...e, seconds: 0 })) });

describe('executeBatchedRuns', () => {
  it('runs groups of at most maxBatch models and records what executeRun records, bit for bit', async () => {
    const groupSizes: number[] = [];
    const engine: Engine = {
      ...cpuEngine(),
      maxBatch: 2,
      createBatch: async (configs: TrainerConfig[]) => {
        groupSizes.push(configs.length);
        return cpuBatch(configs);
      },
    };
    const cfgs = coefficients.map(config);
    const batchedDir = mkdtempSync(join(tmpdir(), 'decaylab-groups-'));
    const sequentialDir = mkdtempSync(join(tmpdir(), 'decaylab-groups-seq-'));
    const batched = await executeBatchedRuns(engine, cfgs, splits, options(batchedDir));
    expect(groupSizes).toEqual([2, 2, 1]);
    expect(batched.map((b) => b.result.config.name)).toEqual(cfgs.map((c) => c.name));
    expect(batched[4].result.status).toBe('diverged');
    for (const [i, cfg] of cfgs.entries()) {
      const one = await executeRun(cpuEngine(), cfg, splits, options(sequentialDir));
      expect(recorded(batched[i].result), cfg.name).toEqual(recorded(one.result));
      expect(batched[i].params, cfg.name).toEqual(one.params);
      const weights = one.result.files.weights!;
      expect(readFileSync(join(batchedDir, weights)).equals(readFileSync(join(sequentialDir, weights))), weights).toBe(true);
    }
  });
});
