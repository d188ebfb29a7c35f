// The training loop on both engines: the GPU engine (Dawn; lavapipe on CI) and the CPU engine give the same
// per-epoch metrics on a small MNIST slice within the tolerance below.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { defaultOptimizer, type DecayConfig, type OptimizerConfig } from '../../src/core/optimizer';
import type { Trainer } from '../../src/core/trainer';
import { createGpuTrainer } from '../../src/gpu/gpu_trainer';
import { makeSplits, type Splits } from '../../src/data/splits';
import { loadMnist } from '../../src/node/load_data';
import { createNodeGpu, type NodeGpu } from '../../src/node/webgpu_node';
import { defaultSchedule } from '../../src/train/schedule';
import { runTraining } from '../../src/train/train_loop';
import type { EpochRecord } from '../../src/train/run_progress';
import { expectClose } from '../helpers/expect_close';

const spec = { inputSize: 784, hidden: [24], classes: 10 };
let gpu: NodeGpu;
let splits: Splits;

beforeAll(async () => {
  try {
    gpu = await createNodeGpu();
  } catch (e) {
    throw new Error(`GPU engine test needs a WebGPU adapter: ${(e as Error).message}`);
  }
  const files = loadMnist();
  // 250 training samples with batch 32: 7 full batches and one of 26 per epoch.
  splits = makeSplits(files.train, files.test, { trainSubset: 250, testSubset: 100, valSplit: 0.2, shuffle: true, seed: 2, normalise: 'scale' });
});
afterAll(() => gpu?.destroy());

async function history(trainer: Trainer): Promise<EpochRecord[]> {
  const data = {
    train: await trainer.addDataset(splits.train),
    validation: await trainer.addDataset(splits.validation!),
    test: await trainer.addDataset(splits.test!),
  };
  const p = await runTraining(trainer, data, {
    epochs: 3, batchSize: 32, seed: 2, shuffle: true, dropLast: false, schedule: defaultSchedule({ kind: 'cosine', warmupSteps: 2 }),
    stepsPerChunk: 5, evaluateTrainSet: true,
  });
  trainer.destroy();
  return p.history;
}

const cases: [string, OptimizerConfig, DecayConfig][] = [
  ['SGD momentum, coupled', defaultOptimizer('sgd', { lr: 0.1, momentum: 0.9 }), { mode: 'coupled', coefficient: 5e-3, decayBiases: false }],
  ['AdamW, decoupled', defaultOptimizer('adamw', { lr: 3e-3 }), { mode: 'decoupled', coefficient: 0.05, decayBiases: true }],
];

describe('GPU and CPU engines under the training loop', () => {
  for (const [name, optimizer, decay] of cases) {
    it(`give the same per-epoch metrics: ${name}`, async () => {
      const config = { spec, optimizer, decay, seed: 9 };
      const g = await history(await createGpuTrainer(gpu.device, config));
      const c = await history(createCpuTrainer(config));
      const pick = (h: EpochRecord[], f: (e: EpochRecord) => number[]) => h.flatMap(f);
      // Both engines compute in float32 but sum GEMMs in different orders (~1e-6 relative per op); 24 steps of
      // training let that grow to ~1e-4 in losses. Accuracies may differ by a prediction that flips at a near tie:
      // at most 2 samples of the smallest set (50 validation samples) = 0.04.
      const losses = (e: EpochRecord) => [e.trainLoss, e.runningLoss, e.valLoss!, e.testLoss!];
      const accs = (e: EpochRecord) => [e.trainAccuracy, e.runningAccuracy, e.valAccuracy!, e.testAccuracy!];
      expectClose(pick(g, losses), pick(c, losses), { atol: 1e-4, rtol: 1e-3 }, `${name} losses`);
      expectClose(pick(g, accs), pick(c, accs), { atol: 0.04, rtol: 0 }, `${name} accuracies`);
      expectClose(pick(g, (e) => e.weightNorms), pick(c, (e) => e.weightNorms), { atol: 0, rtol: 1e-4 }, `${name} weight norms`);
    });
  }
});
