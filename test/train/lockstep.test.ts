// Lockstep loops on the CPU engine: K runTraining loops over one batched trainer (here K CpuTrainers behind the
// BatchedTrainer interface, so the arithmetic per model is a CpuTrainer's) give each run exactly what its own
// sequential loop gives, including runs that diverge or stop early while the others go on.
import { describe, expect, it } from 'vitest';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { defaultOptimizer } from '../../src/core/optimizer';
import type { Dataset } from '../../src/core/dataset';
import type { TrainerConfig } from '../../src/core/trainer';
import { gaussianBlobs } from '../../src/data/synthetic';
import { Lockstep } from '../../src/train/lockstep';
import { cpuBatch } from './cpu_batch';
import { defaultSchedule } from '../../src/train/schedule';
import { runTraining, type LoopData, type TrainLoopConfig } from '../../src/train/train_loop';

const spec = { inputSize: 6, hidden: [9], classes: 3 };
const config = (coefficient: number): TrainerConfig => ({
  spec, optimizer: defaultOptimizer('sgd', { lr: 0.1, momentum: 0.9 }), decay: { mode: 'coupled', coefficient, decayBiases: false }, seed: 1,
});
// λ = 1000 with lr 0.1 multiplies the weights by −99 each step: it diverges in the first chunks. Of the others some
// stop early and some complete (the test checks that each case occurs), so loops leave at different points.
const coefficients = [0, 1e-3, 0.3, 1000];
const loop: TrainLoopConfig = {
  epochs: 6, batchSize: 10, seed: 5, shuffle: true, dropLast: false, schedule: defaultSchedule({ kind: 'constant' }),
  stepsPerChunk: 4, evaluateTrainSet: true, earlyStopping: { patience: 2, minDelta: 0 },
};
// Overlapping blobs (separation 1): the validation loss turns up at an epoch that depends on λ.
const datasets = (): Dataset[] => [gaussianBlobs(103, 6, 3, 21, 1), gaussianBlobs(30, 6, 3, 22, 1)];
// Wall-clock seconds are the only thing allowed to differ: a fixed clock makes them equal too.
const clock = { now: () => 0 };

async function sequentialRun(coefficient: number) {
  const t = createCpuTrainer(config(coefficient));
  const [train, validation] = datasets();
  const data: LoopData = { train: await t.addDataset(train), validation: await t.addDataset(validation) };
  return { progress: await runTraining(t, data, loop, clock), params: await t.getParams() };
}

describe('Lockstep', () => {
  it('K loops over one batched trainer equal K sequential loops, bit for bit, with diverged and early-stopped runs', async () => {
    const batch = cpuBatch(coefficients.map(config));
    const lockstep = new Lockstep(batch);
    const members = lockstep.trainers();
    const [train, validation] = datasets();
    const data: LoopData = { train: await members[0].addDataset(train), validation: await members[0].addDataset(validation) };
    const batched = await Promise.all(members.map(async (t, m) => {
      try {
        const progress = await runTraining(t, data, loop, clock);
        return { progress, params: await t.getParams() };
      } finally {
        lockstep.leave(m);
      }
    }));
    const statuses = batched.map((b) => b.progress.status);
    expect(statuses[3]).toBe('diverged');
    expect(statuses).toContain('early-stopped');
    expect(statuses).toContain('completed');
    for (const [m, coefficient] of coefficients.entries()) {
      expect(batched[m], `λ = ${coefficient}`).toEqual(await sequentialRun(coefficient));
    }
    // The runs shared their training calls: one per chunk of the longest run (103 samples, batch 10, 4 steps per
    // chunk: chunks of 4, 4, 2 full batches and the last batch of 3, so 4 per epoch), not one per chunk per run.
    expect(batch.trainCalls).toBe(4 * Math.max(...batched.map((b) => b.progress.epochsDone)));
    batch.destroy();
  });

  it('rejects loops that ask for different chunks, naming the models', async () => {
    const batch = cpuBatch([config(0), config(1e-3)]);
    const lockstep = new Lockstep(batch);
    const [a, b] = lockstep.trainers();
    const h = await a.addDataset(gaussianBlobs(20, 6, 3, 1));
    const chunk = (first: number) => ({ indices: Uint32Array.from([first, 1, 2, 3]), batchSize: 4, lrs: Float32Array.from([0.1]) });
    const results = await Promise.allSettled([a.train(h, chunk(0)), b.train(h, chunk(9))]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/model 1 asked for a different chunk than model 0/);
    }
    expect(batch.trainCalls).toBe(0);
    batch.destroy();
  });
});
