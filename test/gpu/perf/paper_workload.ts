// What the perf scripts train: the paper's 784-128-10 MLP (coupled decay 1e-4, lr 0.01) on 10,000 random uint8
// "images" in batches of 64, on a GpuTrainer of this process's Node device. Not a test.
import { makeDataset, type Dataset } from '../../../src/core/dataset';
import { defaultOptimizer } from '../../../src/core/optimizer';
import { Prng } from '../../../src/core/prng';
import type { TrainChunk, TrainerConfig } from '../../../src/core/trainer';
import { createGpuTrainer } from '../../../src/gpu/gpu_trainer';
import { createNodeGpu, type NodeGpu } from '../../../src/node/webgpu_node';

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

/**
 * A plain-SGD GpuTrainer on the paper's workload, warmed up by two `steps`-step chunks (kernels compiled, plan built),
 * and its batch plan's step encoder: the perf scripts that encode steps themselves reach into it on purpose.
 */
export async function warmPaperTrainer(steps: number): Promise<{
  gpu: NodeGpu; encodeStep: (pass: GPUComputePassEncoder) => void; plan: unknown;
}> {
  const gpu = await createNodeGpu();
  const { dataset, chunk } = paperData();
  const trainer = await createGpuTrainer(gpu.device, paperConfig(0));
  const handle = await trainer.addDataset(dataset);
  await trainer.train(handle, chunk(steps));
  await trainer.train(handle, chunk(steps));
  const internals = trainer as unknown as {
    plans: Map<number, { encodeTrainStep(p: GPUComputePassEncoder, d: unknown): void }>; datasets: unknown[];
  };
  const plan = internals.plans.get(PAPER_BATCH);
  if (!plan) throw new Error(`no plan for batch ${PAPER_BATCH}`);
  return { gpu, encodeStep: (pass) => plan.encodeTrainStep(pass, internals.datasets[0]), plan };
}
