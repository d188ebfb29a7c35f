// The engine's default on CPU drivers — the subgroup-shuffle forward and weight-gradient products (kernel_variants.ts selectVariant) —
// inside whole training runs: a GpuTrainer and a batched GpuSweep (models along workgroup_id.z) against one CpuTrainer
// per model. 68-36-12-3 makes k4 = inFeatures / 4 = 17, 9 and 3: past one and two multiples of both drivers'
// subgroup sizes (8 on lavapipe, 4 on SwiftShader), so the shuffled loop and the per-lane tail both run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOptimizer, type DecayConfig, type OptimizerConfig } from '../../src/core/optimizer';
import type { ModelParams } from '../../src/core/params';
import type { ModelSpec } from '../../src/core/spec';
import type { TrainerConfig } from '../../src/core/trainer';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { createGpuSweep } from '../../src/gpu/gpu_sweep';
import { createGpuTrainer } from '../../src/gpu/gpu_trainer';
import { gemmKernel, isSoftwareAdapter, selectVariant, subgroupVariant, type KernelVariant } from '../../src/gpu/kernel_variants';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose, type Tolerance } from '../helpers/expect_close';
import { driverName, testGpu } from './helpers/gpu_device';
import { randomChunk, syntheticDataset } from './helpers/synthetic';

const SPEC: ModelSpec = { inputSize: 68, hidden: [36, 12], classes: 3 };
const DATA = syntheticDataset(131, 68, 3, 5, 'u8');

/**
 * As in trainer_vs_cpu.test.ts: f32 GPU arithmetic vs f32-rounded CPU twins differ by ~1e-7 per step and the
 * differences grow over 200 steps (measured there ≤ 2.5e-5); a wrong shuffle lane or model stride moves params by
 * ≥ 1e-3 within a few steps.
 */
const PARAMS_TOL: Tolerance = { atol: 2e-4, rtol: 1e-4 };
const LOSS_TOL: Tolerance = { atol: 1e-5, rtol: 1e-4 };

const CASES: [string, OptimizerConfig, DecayConfig][] = [
  ['sgd momentum, coupled', defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9 }), { mode: 'coupled', coefficient: 0.02, decayBiases: false }],
  ['adamw, decoupled', defaultOptimizer('adamw', { lr: 0.01 }), { mode: 'decoupled', coefficient: 0.05, decayBiases: true }],
];

let gpu: NodeGpu;
let variant: KernelVariant;
const worst = new Map<string, number>();
beforeAll(async () => {
  gpu = await testGpu();
  const v = subgroupVariant(gpu.info, gpu.device.features);
  if (!v) throw new Error(`${driverName(gpu.info)} reports no fixed subgroup size: the shuffle kernels cannot be tested`);
  variant = v;
});
afterAll(() => {
  for (const [k, v] of worst) console.log(`[${driverName(gpu.info)}] ${variant.name} ${k}: max |param err| ${v.toExponential(2)}`);
  gpu.destroy();
});

const flat = (p: ModelParams): number[] => p.flatMap((l) => [...l.weight, ...l.bias]);

describe('training with the subgroup-shuffle forward kernel', () => {
  // The trainers below are given this variant: on a CPU driver it is the engine's default (createGpuTrainer /
  // createGpuSweep call selectVariant), on a real GPU the shuffle kernels run only when asked for.
  it('is the static choice on a CPU driver (a real GPU keeps the hardware variant), for every layer of the model', () => {
    expect(variant.name).toBe(`software-subgroups${variant.subgroupSize}`);
    expect(selectVariant(gpu.info, gpu.device.features).name).toBe(isSoftwareAdapter(gpu.info) ? variant.name : 'hardware');
    for (const [i, o] of [[68, 36], [36, 12], [12, 3]]) expect(gemmKernel('forward', i, [0], variant, o)).toMatch(/^denseForwardShuffle/);
    // The weight gradient reads dy as vec4s: the last layer (3 outputs) takes the vec4 kernel.
    for (const [i, o] of [[68, 36], [36, 12]]) expect(gemmKernel('backwardWeight', i, [0], variant, o)).toMatch(/^denseBackwardWeightShuffle/);
    expect(gemmKernel('backwardWeight', 12, [0], variant, 3)).toBe('denseBackwardWeightVec4');
  });

  for (const [name, optimizer, decay] of CASES) {
    it(`GpuTrainer, ${name}: 200 steps equal the CPU twin`, async () => {
      const config: TrainerConfig = { spec: SPEC, optimizer, decay, seed: 3 };
      const g = await createGpuTrainer(gpu.device, config, { variant });
      const c = createCpuTrainer(config);
      const [dg, dc] = [await g.addDataset(DATA), await c.addDataset(DATA)];
      const chunk = randomChunk(DATA.count, 200, 9, optimizer.lr, 4);
      const [rg, rc] = [await g.train(dg, chunk), await c.train(dc, chunk)];
      expectClose(rg.stepLosses, rc.stepLosses, LOSS_TOL, 'loss curve');
      const e = expectClose(flat(await g.getParams()), flat(await c.getParams()), PARAMS_TOL, 'params after 200 steps');
      worst.set(`trainer ${name}`, e.maxAbsError);
      const [eg, ec] = [await g.evaluate(dg), await c.evaluate(dc)];
      expect(Math.abs(eg.correct - ec.correct)).toBeLessThanOrEqual(1);
      expect(rg.stepLosses[199]).toBeLessThan(rg.stepLosses[0]);
      g.destroy();
      c.destroy();
    });
  }

  it('batched sweep of 3 models (own λ, mode and seed each): 60 steps equal one CPU twin per model', async () => {
    const decays: DecayConfig[] = [
      { mode: 'coupled', coefficient: 0, decayBiases: false },
      { mode: 'l2', coefficient: 1e-2, decayBiases: true },
      { mode: 'decoupled', coefficient: 5e-2, decayBiases: false },
    ];
    const optimizer = defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9 });
    const configs: TrainerConfig[] = decays.map((decay, m) => ({ spec: SPEC, optimizer, decay, seed: 30 + m }));
    const sweep = await createGpuSweep(gpu.device, configs, { variant });
    const cpus = configs.map((cfg) => createCpuTrainer(cfg));
    const dg = await sweep.addDataset(DATA);
    const dcs = await Promise.all(cpus.map((c) => c.addDataset(DATA)));
    const chunk = randomChunk(DATA.count, 60, 7, optimizer.lr, 6);
    const rg = await sweep.train(dg, chunk);
    const views = sweep.trainers();
    for (let m = 0; m < configs.length; m++) {
      const rc = await cpus[m].train(dcs[m], chunk);
      expectClose(rg[m].stepLosses, rc.stepLosses, LOSS_TOL, `model ${m} loss curve`);
      const e = expectClose(flat(await views[m].getParams()), flat(await cpus[m].getParams()), PARAMS_TOL, `model ${m} params`);
      worst.set(`sweep model ${m}`, Math.max(worst.get(`sweep model ${m}`) ?? 0, e.maxAbsError));
    }
    sweep.destroy();
    for (const c of cpus) c.destroy();
  });
});
