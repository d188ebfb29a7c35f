// What the perf scripts train: the paper's 784-128-10 MLP (coupled decay 1e-4, lr 0.01) on 10,000 random uint8
// "images" in batches of 64, on a GpuTrainer of this process's Node device. Not a test.
import { makeDataset, type Dataset } from '../../../src/core/dataset';
import { defaultOptimizer } from '../../../src/core/optimizer';
import { Prng } from '../../../src/core/prng';
import type { TrainChunk, TrainerConfig } from '../../../src/core/trainer';

export const PAPER_BATCH = 64;
const COUNT = 10_000;

/** The trainer config of model m of a sweep (m = 0: a single run): λ = 1e-4·(m + 1). */
export function paperConfig(momentum: number, m = 0): TrainerConfig {
  return {
    spec: { inputSize: 784, hidden: [128], classes: 10 }, optimizer: defaultOptimizer('sgd', { momentum }),
    decay: { mode: 'coupled', coefficient: 1e-4 * (m + 1), decayBiases: false }, seed: 1 + m,
  };
}

/** The random dataset, and a maker of `steps`-step chunks of random batches of it, both from one seeded stream. */
export function paperData(): { dataset: Dataset; chunk: (steps: number) => TrainChunk } {
  const rng = new Prng(1);
  const dataset = makeDataset(Uint8Array.from({ length: COUNT * 784 }, () => rng.nextInt(256)),
    Uint8Array.from({ length: COUNT }, () => rng.nextInt(10)), 784, 10);
  const chunk = (steps: number): TrainChunk => ({
    indices: Uint32Array.from({ length: steps * PAPER_BATCH }, () => rng.nextInt(COUNT)), batchSize: PAPER_BATCH,
    lrs: new Float32Array(steps).fill(0.01),
  });
  return { dataset, chunk };
}
