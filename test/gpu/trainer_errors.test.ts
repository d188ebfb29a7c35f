// Bad input to the GPU engine fails with an error that names the problem.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultOptimizer } from '../../src/core/optimizer';
import { createGpuTrainer } from '../../src/gpu/gpu_trainer';
import { acquireDevice } from '../../src/gpu/device';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { testGpu } from './helpers/gpu_device';
import { syntheticDataset } from './helpers/synthetic';

let gpu: NodeGpu;
beforeAll(async () => { gpu = await testGpu(); });
afterAll(() => gpu.destroy());

const config = {
  spec: { inputSize: 6, hidden: [5], classes: 3 },
  optimizer: defaultOptimizer('sgd', { lr: 0.1 }),
  decay: { mode: 'l2' as const, coefficient: 0, decayBiases: false },
  seed: 1,
};

it('rejects bad configs, datasets, chunks and indices with named causes', async () => {
  await expect(createGpuTrainer(gpu.device, { ...config, spec: { inputSize: 0, hidden: [], classes: 3 } })).rejects.toThrow(/layer sizes/);
  await expect(createGpuTrainer(gpu.device, { ...config, optimizer: defaultOptimizer('sgd', { lr: -1 }) })).rejects.toThrow(/lr must be positive/);
  await expect(createGpuTrainer(gpu.device, { ...config, initialParams: [] })).rejects.toThrow(/expected 2 layers/);
  const t = await createGpuTrainer(gpu.device, config);
  await expect(t.addDataset(syntheticDataset(10, 7, 3, 1))).rejects.toThrow(/7 features, the model expects 6/);
  await expect(t.addDataset(syntheticDataset(10, 6, 4, 1))).rejects.toThrow(/4 classes, the model has 3/);
  const d = await t.addDataset(syntheticDataset(10, 6, 3, 1));
  const lrs = new Float32Array(2).fill(0.1);
  await expect(t.train(d, { indices: new Uint32Array(5), batchSize: 2, lrs })).rejects.toThrow(/not a multiple of batchSize/);
  await expect(t.train(d, { indices: new Uint32Array(4), batchSize: 2, lrs: new Float32Array(1) })).rejects.toThrow(/lrs has 1 entries/);
  await expect(t.train(d, { indices: Uint32Array.from([0, 10, 1, 2]), batchSize: 2, lrs })).rejects.toThrow(/sample index 10 is out of range/);
  await expect(t.train(d, { indices: new Uint32Array(70_000), batchSize: 70_000, lrs: new Float32Array(1) })).rejects.toThrow(/batchSize 70000/);
  await expect(t.train({ ...d, id: 5 }, { indices: new Uint32Array(2), batchSize: 2, lrs: new Float32Array(1) })).rejects.toThrow(/unknown dataset handle 5/);
  await expect(t.setState({ params: [], optimizer: { step: 0 } })).rejects.toThrow(/expected 2 layers/);
  // An empty chunk trains nothing and says so.
  expect(await t.train(d, { indices: new Uint32Array(0), batchSize: 4, lrs: new Float32Array(0) })).toEqual({ stepLosses: new Float32Array(0), correct: 0, samples: 0 });
  expect(t.step).toBe(0);
  t.destroy();
  await expect(t.getParams()).rejects.toThrow(/destroyed/);
});

it('says how to install a driver when there is no WebGPU', async () => {
  await expect(acquireDevice(undefined)).rejects.toThrow(/lavapipe/);
  const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
  await expect(acquireDevice(noAdapter)).rejects.toThrow(/mesa-vulkan-drivers/);
});
