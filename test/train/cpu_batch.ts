// A BatchedTrainer made of K CpuTrainers trained one after another per call: its per-model arithmetic is a
// CpuTrainer's, so batched loops over it can be compared bit for bit with sequential ones (no GPU needed).
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import type { Dataset } from '../../src/core/dataset';
import type { DatasetHandle, Trainer, TrainerConfig } from '../../src/core/trainer';
import type { BatchedTrainer } from '../../src/train/lockstep';

export function cpuBatch(configs: TrainerConfig[]): BatchedTrainer & { trainCalls: number } {
  const trainers = configs.map((c) => createCpuTrainer(c));
  // Handles are per trainer; the batch hands out model 0's and maps it to the others'.
  const handles = new Map<DatasetHandle, DatasetHandle[]>();
  const of = (h: DatasetHandle, m: number): DatasetHandle => handles.get(h)![m];
  const batch = {
    models: trainers.length,
    trainCalls: 0,
    async addDataset(ds: Dataset) {
      const hs = await Promise.all(trainers.map((t) => t.addDataset(ds)));
      handles.set(hs[0], hs);
      return hs[0];
    },
    async train(h: DatasetHandle, chunk: Parameters<Trainer['train']>[1]) {
      batch.trainCalls++;
      const out = [];
      for (const [m, t] of trainers.entries()) out.push(await t.train(of(h, m), chunk));
      return out;
    },
    trainers: (): Trainer[] => trainers.map((t, m) => ({
      engine: t.engine, config: t.config, get step() { return t.step; },
      addDataset: (ds: Dataset) => batch.addDataset(ds),
      train: () => Promise.reject(new Error('train through the batch')),
      evaluate: (h: DatasetHandle, o?: { indices?: Uint32Array; predictions?: boolean }) => t.evaluate(of(h, m), o),
      predictProbabilities: (h: DatasetHandle, i?: Uint32Array) => t.predictProbabilities(of(h, m), i),
      weightSquaredNorms: () => t.weightSquaredNorms(), getParams: () => t.getParams(), getState: () => t.getState(),
      setState: (s) => t.setState(s), destroy: () => t.destroy(),
    })),
    destroy: () => trainers.forEach((t) => t.destroy()),
  };
  return batch;
}

