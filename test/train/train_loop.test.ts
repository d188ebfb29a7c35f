// The training loop on the CPU engine: resume == straight through (bit for bit), checkpoints, divergence, early stopping.
import { describe, expect, it } from 'vitest';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { defaultOptimizer, type DecayConfig, type OptimizerConfig } from '../../src/core/optimizer';
import type { ModelParams } from '../../src/core/params';
import type { Trainer } from '../../src/core/trainer';
import { gaussianBlobs } from '../../src/data/synthetic';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/train/checkpoint';
import { defaultSchedule } from '../../src/train/schedule';
import { runTraining, type LoopData, type TrainLoopConfig } from '../../src/train/train_loop';
import { weightNorms } from '../../src/train/analysis';
import { expectClose } from '../helpers/expect_close';

const spec = { inputSize: 6, hidden: [9], classes: 3 };
const bits = (p: ModelParams) => p.flatMap((l) => [...new Uint32Array(l.weight.buffer.slice(0)), ...new Uint32Array(l.bias.buffer.slice(0))]);

// 103 samples with batch 10: ten full batches and one of 3, so the partial-batch path runs every epoch.
const loop = (o: Partial<TrainLoopConfig> = {}): TrainLoopConfig => ({
  epochs: 4, batchSize: 10, seed: 5, shuffle: true, dropLast: false, schedule: defaultSchedule({ kind: 'cosine', warmupSteps: 3 }),
  stepsPerChunk: 4, evaluateTrainSet: true, ...o,
});

async function setup(opt: OptimizerConfig = defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9 }), decay: DecayConfig = { mode: 'coupled', coefficient: 1e-3, decayBiases: false }) {
  const trainer = createCpuTrainer({ spec, optimizer: opt, decay, seed: 1 });
  const data: LoopData = {
    train: await trainer.addDataset(gaussianBlobs(103, 6, 3, 21)),
    validation: await trainer.addDataset(gaussianBlobs(30, 6, 3, 22)),
    test: await trainer.addDataset(gaussianBlobs(40, 6, 3, 23)),
  };
  return { trainer, data };
}

async function restored(from: Trainer, bytes: Uint8Array) {
  const c = decodeCheckpoint(bytes);
  const { trainer, data } = await setup(c.meta.optimizer, c.meta.decay);
  await trainer.setState(c.state);
  return { trainer, data, progress: c.meta.progress, from };
}

describe('runTraining', () => {
  it('stopped after epoch 2 and resumed from a checkpoint ends with bit-identical params and history (SGD momentum, Adam)', async () => {
    for (const opt of [defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9 }), defaultOptimizer('adamw', { lr: 0.01 })]) {
      const straight = await setup(opt);
      const full = await runTraining(straight.trainer, straight.data, loop());
      expect(full.status).toBe('completed');
      expect(full.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);

      const first = await setup(opt);
      const paused = await runTraining(first.trainer, first.data, loop(), { shouldPause: (p) => p.epochsDone === 2 });
      expect(paused.status).toBe('paused');
      const bytes = encodeCheckpoint(await first.trainer.getState(), { spec, optimizer: opt, decay: first.trainer.config.decay, seed: 1, progress: paused });
      const second = await restored(first.trainer, bytes);
      const resumed = await runTraining(second.trainer, second.data, loop(), {}, second.progress);
      expect(resumed.status).toBe('completed');
      expect(bits(await second.trainer.getParams())).toEqual(bits(await straight.trainer.getParams()));
      const strip = (h: typeof full.history) => h.map(({ seconds: _s, ...rest }) => rest);
      expect(strip(resumed.history)).toEqual(strip(full.history));
    }
  });

  it('pauses mid-epoch and resumes to the same parameters and epoch means', async () => {
    const straight = await setup();
    const full = await runTraining(straight.trainer, straight.data, loop({ epochs: 2 }));
    const a = await setup();
    let chunks = 0;
    const paused = await runTraining(a.trainer, a.data, loop({ epochs: 2 }), { shouldPause: () => ++chunks === 2 });
    expect(paused.status).toBe('paused');
    expect(paused.partial?.stepInEpoch).toBe(8);
    const resumed = await runTraining(a.trainer, a.data, loop({ epochs: 2 }), {}, paused);
    expect(bits(await a.trainer.getParams())).toEqual(bits(await straight.trainer.getParams()));
    expect(resumed.history.map((h) => h.runningLoss)).toEqual(full.history.map((h) => h.runningLoss));
  });

  it('checkpoint save → load → evaluate gives identical metrics', async () => {
    const { trainer, data } = await setup();
    const progress = await runTraining(trainer, data, loop({ epochs: 2 }));
    const bytes = encodeCheckpoint(await trainer.getState(), { spec, optimizer: trainer.config.optimizer, decay: trainer.config.decay, seed: 1, progress });
    const back = await restored(trainer, bytes);
    const [x, y] = [await trainer.evaluate(data.test!, { predictions: true }), await back.trainer.evaluate(back.data.test!, { predictions: true })];
    expect(y).toEqual(x);
    expect(back.progress.history).toEqual(progress.history);
  });

  it('records train/val/test metrics and weight norms that match the parameters', async () => {
    const { trainer, data } = await setup();
    const p = await runTraining(trainer, data, loop({ epochs: 3 }));
    const last = p.history[2];
    const test = await trainer.evaluate(data.test!);
    expect(last.testLoss).toBe(test.loss);
    expect(last.testAccuracy).toBe(test.accuracy);
    // Engine reduces ‖W‖² in its own order; float32 sums of ~60 terms agree to ~1e-6 relative.
    expectClose(last.weightNorms, weightNorms(await trainer.getParams()), { atol: 0, rtol: 1e-5 }, 'weight norms');
    expect(last.step).toBe(33);
    expect(last.trainAccuracy).toBeGreaterThan(0.8); // well-separated blobs are learnable in 3 epochs
  });

  it('reports divergence with the step at which the loss stopped being finite', async () => {
    const { trainer, data } = await setup(defaultOptimizer('sgd', { lr: 1e6 }));
    const p = await runTraining(trainer, data, loop({ schedule: defaultSchedule() }));
    expect(p.status).toBe('diverged');
    expect(p.divergedAtStep).toBeGreaterThan(0);
    expect(p.divergedAtStep).toBeLessThan(44);
  });

  it('stops early when validation loss stops improving, and requires a validation split', async () => {
    const { trainer, data } = await setup();
    // minDelta of 10 means no epoch can count as an improvement after the first.
    const p = await runTraining(trainer, data, loop({ epochs: 10, earlyStopping: { patience: 2, minDelta: 10 } }));
    expect(p.status).toBe('early-stopped');
    expect(p.history.length).toBe(3);
    expect(p.bestEpoch).toBe(1);
    await expect(runTraining(trainer, { train: data.train }, loop({ earlyStopping: { patience: 2, minDelta: 0 } }))).rejects.toThrow(/early stopping needs a validation split/);
    await expect(runTraining(trainer, data, loop({ batchSize: 500, dropLast: true }))).rejects.toThrow(/103 samples: not one batch of 500/);
  });
});
