// Layer 0 skipping the words that are zero in every row of a batch (gemm_codegen.ts GemmInput, src/gpu/active_words.ts)
// in whole training runs on real MNIST digits, against the CPU twin, which multiplies every feature. The paper's
// 784-128-10 network, so that layer 0's weight kernel also applies the SGD step (the path the bench times), with and
// without momentum; batches of 16, whose active lists leave out a third of the words on average (checked first, or
// the runs would show nothing), and different lists per batch; and batches of 64, the paper's, whose four groups of 16
// rows (one workgroup of the u8 forward kernel each) get lists shorter than their batch's (checked too).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataset, type Dataset } from '../../src/core/dataset';
import { defaultOptimizer } from '../../src/core/optimizer';
import type { ModelParams } from '../../src/core/params';
import type { TrainerConfig } from '../../src/core/trainer';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { batchIndexData, inputWordMasks } from '../../src/gpu/active_words';
import { createGpuTrainer } from '../../src/gpu/gpu_trainer';
import { loadMnist } from '../../src/node/load_data';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose, type Tolerance } from '../helpers/expect_close';
import { testGpu } from './helpers/gpu_device';
import { u8InputVariant } from './helpers/u8_input_variant';
import { randomChunk } from './helpers/synthetic';

const COUNT = 400;
const BATCH = 16;
const STEPS = 60;
// f32 GPU sums against the CPU twin's f32-rounded arithmetic over 60 steps of a 784-input layer: measured ≤ 1.5e-7 on
// params and ≤ 5e-7 on losses (lavapipe and SwiftShader), so these leave two orders of magnitude. Lists that leave out
// the last 8 active words of each batch moved the losses by 6e-2 and more (a mutation tried once, both runs failed).
const PARAMS_TOL: Tolerance = { atol: 2e-5, rtol: 1e-4 };
const LOSS_TOL: Tolerance = { atol: 1e-5, rtol: 1e-4 };

let gpu: NodeGpu;
let digits: Dataset;
beforeAll(async () => {
  gpu = await testGpu();
  const train = loadMnist().train;
  // Pixels / 255, no shift: a zero byte is a zero input.
  digits = makeDataset(train.features.slice(0, COUNT * 784), train.labels.slice(0, COUNT), 784, 10);
});
afterAll(() => gpu.destroy());

const flat = (p: ModelParams): number[] => p.flatMap((l) => [...l.weight, ...l.bias]);

describe('training that skips the input words a batch has zero', () => {
  const chunk = randomChunk(COUNT, STEPS, BATCH, 0.05, 21);
  const paperChunk = randomChunk(COUNT, STEPS, 64, 0.05, 22);
  const masks = () => inputWordMasks(digits.features as Uint8Array, COUNT, 784, digits.shift);

  it('has batches whose lists leave words out, and lists that differ from batch to batch', () => {
    // Groups of 16 rows, the rows of one workgroup of the u8 forward kernel the trainers below run (16×4).
    const { data, activeOffsets } = batchIndexData(chunk.indices, BATCH, STEPS, masks(), 'active', 8, 16);
    const counts = activeOffsets.map((at) => data[at]);
    expect(Math.max(...counts)).toBeLessThan(196);
    expect(counts.reduce((a, b) => a + b) / STEPS).toBeLessThan(0.7 * 196);
    const lists = new Set(activeOffsets.map((at) => data.subarray(at + 1, at + 1 + 196).join(',')));
    expect(lists.size).toBeGreaterThan(STEPS / 2);
  });

  it('gives each group of 16 rows of a batch of 64 a list no longer than its batch\'s, and shorter on average', () => {
    const { data, activeOffsets } = batchIndexData(paperChunk.indices, 64, STEPS, masks(), 'active', 8, 16);
    const counts = activeOffsets.map((at) => data[at]);
    // The forward reads its group's list (at + (1 + g)·197): a kernel reading another group's would miss products.
    const groupCounts = activeOffsets.map((at) => [1, 2, 3, 4].map((g) => data[at + g * 197]));
    groupCounts.forEach((c, b) => c.forEach((n) => expect(n).toBeLessThanOrEqual(counts[b])));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b) / xs.length;
    expect(mean(groupCounts.flat())).toBeLessThan(mean(counts) - 4);
  });

  const runs = [
    { batch: BATCH, momentum: 0, c: chunk }, { batch: BATCH, momentum: 0.9, c: chunk }, { batch: 64, momentum: 0, c: paperChunk },
  ];
  for (const { batch, momentum, c: trainChunk } of runs) {
    it(`SGD${momentum ? ' with momentum' : ''} and coupled decay, batches of ${batch}: ${STEPS} steps equal the CPU twin; evaluation too`, async () => {
      const config: TrainerConfig = {
        spec: { inputSize: 784, hidden: [128], classes: 10 }, optimizer: defaultOptimizer('sgd', { lr: 0.05, momentum }),
        decay: { mode: 'coupled', coefficient: 1e-3, decayBiases: false }, seed: 3,
      };
      const g = await createGpuTrainer(gpu.device, config, { variant: u8InputVariant(gpu) });
      const c = createCpuTrainer(config);
      const [dg, dc] = [await g.addDataset(digits), await c.addDataset(digits)];
      const [rg, rc] = [await g.train(dg, trainChunk), await c.train(dc, trainChunk)];
      expectClose(rg.stepLosses, rc.stepLosses, LOSS_TOL, 'loss curve');
      expectClose(flat(await g.getParams()), flat(await c.getParams()), PARAMS_TOL, `params after ${STEPS} steps`);
      const [eg, ec] = [await g.evaluate(dg), await c.evaluate(dc)];
      expect(Math.abs(eg.correct - ec.correct)).toBeLessThanOrEqual(1);
      expect(eg.loss).toBeCloseTo(ec.loss, 4);
      expect(rg.stepLosses.slice(-10).reduce((a, b) => a + b) / 10).toBeLessThan(rg.stepLosses[0]);
      g.destroy();
      c.destroy();
    });
  }
});
