// Trainers with the vector element-wise kernels (KernelVariant.vectorElementwise: vec4/vec16 gather, one vec4 optimizer
// dispatch) against the same variant without them, bit for bit on CPU drivers (the arithmetic per element is the same,
// and so are the GEMM kernels; helpers/same_arithmetic.ts says why a GPU gets a tolerance), and against the CPU engine on a model whose input width (32) takes the 16-feature gather.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOptimizer, type OptimizerConfig } from '../../src/core/optimizer';
import type { ModelParams } from '../../src/core/params';
import type { ModelSpec } from '../../src/core/spec';
import type { Trainer, TrainerConfig } from '../../src/core/trainer';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { gatherKernel } from '../../src/gpu/elementwise_variants';
import { createGpuSweep } from '../../src/gpu/gpu_sweep';
import { createGpuTrainer } from '../../src/gpu/gpu_trainer';
import { isSoftwareAdapter, VARIANTS, type KernelVariant } from '../../src/gpu/kernel_variants';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose } from '../helpers/expect_close';
import { driverName, testGpu } from './helpers/gpu_device';
import { expectSameArithmetic } from './helpers/same_arithmetic';
import { randomChunk, syntheticDataset } from './helpers/synthetic';

// Input widths for each gather kernel: 32 (16 per invocation), 20 (4), 13 (scalar); u8 and f32 features.
const MODELS: [string, ModelSpec, ReturnType<typeof syntheticDataset>][] = [
  ['32-16-3 u8', { inputSize: 32, hidden: [16], classes: 3 }, syntheticDataset(97, 32, 3, 5, 'u8')],
  ['20-16-8-3 f32', { inputSize: 20, hidden: [16, 8], classes: 3 }, syntheticDataset(97, 20, 3, 8, 'f32')],
  ['13-7-5-3 u8', { inputSize: 13, hidden: [7, 5], classes: 3 }, syntheticDataset(97, 13, 3, 7, 'u8')],
];
const OPTIMIZERS: [string, OptimizerConfig][] = [
  ['sgd nesterov', defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9, nesterov: true })],
  ['adamw', defaultOptimizer('adamw', { lr: 0.01 })],
];
const SCALAR = (v: KernelVariant): KernelVariant => ({ ...v, name: `${v.name}-scalar-elementwise`, vectorElementwise: false });
// On a GPU (not bit for bit): each Adam step may round a parameter's update a few ULP apart (≤ ~1e-9 at lr 0.01), and
// 30 steps through a 3-layer network compound that; 1e-5 leaves two orders of margin, while a wrong component or a
// missed bias moves parameters by ~lr = 1e-2. The largest drift seen is printed (an H200: 1.8e-7).
const GPU_DRIFT = { atol: 1e-5, rtol: 1e-5 };
let worstDrift = 0;
const same = (actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void => {
  worstDrift = Math.max(worstDrift, expectSameArithmetic(gpu.info, actual, expected, GPU_DRIFT, what)?.maxAbsError ?? 0);
};

let gpu: NodeGpu;
beforeAll(async () => { gpu = await testGpu(); });
afterAll(() => {
  console.log(`[${driverName(gpu.info)}] vector vs scalar element-wise kernels in trainers: max |difference| ${worstDrift.toExponential(2)}`);
  gpu.destroy();
});

const flat = (p: ModelParams): number[] => p.flatMap((l) => [...l.weight, ...l.bias]);

describe('vector element-wise kernels in a trainer', () => {
  it('the test models take the gather kernels they are meant to exercise', () => {
    expect(MODELS.map(([, s]) => gatherKernel(s.inputSize, VARIANTS.software).name)).toEqual(['gatherBatchVec16', 'gatherBatchVec4', 'gatherBatch']);
  });

  for (const [model, spec, data] of MODELS) for (const [name, optimizer] of OPTIMIZERS) {
    it(`${model}, ${name}: 30 steps and an evaluation equal the scalar kernels'`, async () => {
      const config: TrainerConfig = { spec, optimizer, decay: { mode: 'coupled', coefficient: 0.02, decayBiases: true }, seed: 4 };
      const [v, s] = [await createGpuTrainer(gpu.device, config, { variant: VARIANTS.software }),
        await createGpuTrainer(gpu.device, config, { variant: SCALAR(VARIANTS.software) })];
      const [hv, hs] = [await v.addDataset(data), await s.addDataset(data)];
      const initial = flat(await v.getParams());
      const chunk = randomChunk(data.count, 30, 7, optimizer.lr, 3);
      const [rv, rs] = [await v.train(hv, chunk), await s.train(hs, chunk)];
      same(rv.stepLosses, rs.stepLosses, 'losses');
      same(flat(await v.getParams()), flat(await s.getParams()), 'params');
      const [ev, es] = [await v.evaluate(hv), await s.evaluate(hs)];
      same([ev.loss], [es.loss], 'evaluation loss');
      // A prediction on a decision boundary may flip on a GPU; on a CPU driver none may.
      expect(Math.abs(ev.correct - es.correct)).toBeLessThanOrEqual(isSoftwareAdapter(gpu.info) ? 0 : 1);
      expect(ev.count).toBe(es.count);
      // Training happened: equal results are not merely untouched ones.
      expect(flat(await v.getParams())).not.toEqual(initial);
      v.destroy();
      s.destroy();
    });
  }

  it('a batched sweep of 3 models (hardware variant) equals the scalar kernels', async () => {
    const [, spec, data] = MODELS[0];
    const configs: TrainerConfig[] = [0, 1e-3, 5e-2].map((c, m) => ({
      spec, optimizer: OPTIMIZERS[1][1], decay: { mode: 'decoupled', coefficient: c, decayBiases: m === 1 }, seed: 30 + m,
    }));
    const [v, s] = [await createGpuSweep(gpu.device, configs, { variant: VARIANTS.hardware }),
      await createGpuSweep(gpu.device, configs, { variant: SCALAR(VARIANTS.hardware) })];
    const [hv, hs] = [await v.addDataset(data), await s.addDataset(data)];
    const chunk = randomChunk(data.count, 20, 7, 0.01, 5);
    await v.train(hv, chunk);
    await s.train(hs, chunk);
    const [tv, ts] = [v.trainers(), s.trainers()];
    for (let m = 0; m < configs.length; m++) same(flat(await tv[m].getParams()), flat(await ts[m].getParams()), `model ${m} params`);
    v.destroy();
    s.destroy();
  });

  it('32-16-3 u8, sgd momentum: 100 steps follow the CPU engine', async () => {
    const [, spec, data] = MODELS[0];
    const config: TrainerConfig = { spec, optimizer: defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9, dampening: 0.1 }), decay: { mode: 'l2', coefficient: 0.01, decayBiases: false }, seed: 6 };
    const [g, c]: Trainer[] = [await createGpuTrainer(gpu.device, config, { variant: VARIANTS.software }), createCpuTrainer(config)];
    const [dg, dc] = [await g.addDataset(data), await c.addDataset(data)];
    const chunk = randomChunk(data.count, 100, 7, 0.05, 8);
    const [rg, rc] = [await g.train(dg, chunk), await c.train(dc, chunk)];
    // As trainer_vs_cpu.test.ts (justified there for 200 steps of models this size): f32 kernels in other summation
    // orders drift by ≲ 2.5e-5; a wrong gather (a shifted feature, a wrong byte) or a wrong decay term moves far more.
    expectClose(rg.stepLosses, rc.stepLosses, { atol: 1e-5, rtol: 1e-4 }, 'loss curve');
    expectClose(flat(await g.getParams()), flat(await c.getParams()), { atol: 2e-4, rtol: 1e-4 }, 'params after 100 steps');
    g.destroy();
    c.destroy();
  });
});
