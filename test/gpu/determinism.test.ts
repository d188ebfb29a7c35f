// Same seed, same data, same chunks → bit-identical params and losses on the GPU engine.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultOptimizer } from '../../src/core/optimizer';
import { createGpuTrainer } from '../../src/gpu/gpu_trainer';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { testGpu } from './helpers/gpu_device';
import { randomChunk, syntheticDataset } from './helpers/synthetic';

let gpu: NodeGpu;
beforeAll(async () => { gpu = await testGpu(); });
afterAll(() => gpu.destroy());

it('two GPU trainers with the same seed train to identical params', async () => {
  const data = syntheticDataset(200, 33, 5, 1, 'u8');
  const config = {
    spec: { inputSize: 33, hidden: [65, 17], classes: 5 },
    optimizer: defaultOptimizer('adamw', { lr: 3e-3 }),
    decay: { mode: 'decoupled' as const, coefficient: 0.05, decayBiases: false },
    seed: 77,
  };
  const runOnce = async () => {
    const t = await createGpuTrainer(gpu.device, config);
    const d = await t.addDataset(data);
    const losses = [...(await t.train(d, randomChunk(data.count, 60, 33, 3e-3, 1))).stepLosses];
    losses.push(...(await t.train(d, randomChunk(data.count, 40, 17, 3e-3, 2))).stepLosses);
    const params = await t.getParams();
    t.destroy();
    return { losses, params };
  };
  const a = await runOnce();
  const b = await runOnce();
  expect(b.losses).toEqual(a.losses);
  expect(b.params).toEqual(a.params);
  // A different seed gives a different model (the check above is not vacuous).
  const other = await createGpuTrainer(gpu.device, { ...config, seed: 78 });
  expect(await other.getParams()).not.toEqual(a.params);
  other.destroy();
});
