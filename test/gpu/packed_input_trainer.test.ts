// Layer 0 reading the batch as packed uint8 words (batch_plan.ts inputDispatches, gemm_codegen.ts GemmInput 'u8')
// inside whole training runs, against the CPU twin: a GpuTrainer, the same trainer alternating a uint8 and a float32
// copy of the data (each dataset takes its own path through one plan), and a batched GpuSweep. 80 features: whole
// vec4u rows of bytes (80 = 5 × 16) and k4 = 20, past two multiples of lavapipe's 8 lanes (the per-lane tail runs)
// and five of SwiftShader's 4. Per-feature standardisation, so that a feature normalised with another's scale or
// shift moves the results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataset, standardisation, type Dataset } from '../../src/core/dataset';
import { defaultOptimizer, type DecayConfig } from '../../src/core/optimizer';
import type { ModelParams } from '../../src/core/params';
import type { ModelSpec } from '../../src/core/spec';
import type { TrainerConfig } from '../../src/core/trainer';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { createGpuSweep } from '../../src/gpu/gpu_sweep';
import { createGpuTrainer } from '../../src/gpu/gpu_trainer';
import { gemmKernel, packedInputKernels, type KernelVariant } from '../../src/gpu/kernel_variants';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose, type Tolerance } from '../helpers/expect_close';
import { driverName, testGpu } from './helpers/gpu_device';
import { u8InputVariant } from './helpers/u8_input_variant';
import { randomChunk, syntheticDataset } from './helpers/synthetic';

const SPEC: ModelSpec = { inputSize: 80, hidden: [36], classes: 3 };

/** uint8 features, standardised per feature; and the same values as float32 with the normalisation applied. */
function datasets(): { u8: Dataset; f32: Dataset } {
  const raw = syntheticDataset(151, 80, 3, 17, 'u8');
  const u8 = makeDataset(raw.features, raw.labels, 80, 3, standardisation(raw));
  const values = Float32Array.from(u8.features, (v, i) => v * u8.scale[i % 80] + u8.shift[i % 80]);
  return { u8, f32: makeDataset(values, u8.labels, 80, 3) };
}

// As in subgroup_trainer.test.ts: f32 GPU arithmetic against f32-rounded CPU twins drifts by ≤ ~2.5e-5 over 200 steps;
// a feature read from the wrong byte, or with the wrong scale or shift, moves params by ≥ 1e-3 within a few steps.
const PARAMS_TOL: Tolerance = { atol: 2e-4, rtol: 1e-4 };
const LOSS_TOL: Tolerance = { atol: 1e-5, rtol: 1e-4 };

let gpu: NodeGpu;
let variant: KernelVariant;
const { u8, f32 } = datasets();
beforeAll(async () => {
  gpu = await testGpu();
  variant = u8InputVariant(gpu);
});
afterAll(() => gpu.destroy());

const flat = (p: ModelParams): number[] => p.flatMap((l) => [...l.weight, ...l.bias]);

describe('training with layer 0 reading packed uint8 input', () => {
  it('is the path this driver takes for the uint8 dataset, and not for the float32 one', () => {
    const forward = gemmKernel('forward', 80, [0], variant, 36);
    const weight = gemmKernel('backwardWeight', 80, [0], variant, 36);
    expect(packedInputKernels(forward, weight, 80, true), `${driverName(gpu.info)}, variant ${variant.name}`).toBeDefined();
    expect(packedInputKernels(forward, weight, 80, false)).toBeUndefined();
  });

  it('GpuTrainer, sgd momentum with coupled decay: 200 steps equal the CPU twin; evaluation too', async () => {
    const config: TrainerConfig = {
      spec: SPEC, optimizer: defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9 }),
      decay: { mode: 'coupled', coefficient: 0.02, decayBiases: false }, seed: 5,
    };
    const g = await createGpuTrainer(gpu.device, config, { variant });
    const c = createCpuTrainer(config);
    const [dg, dc] = [await g.addDataset(u8), await c.addDataset(u8)];
    const chunk = randomChunk(u8.count, 200, 16, 0.05, 3);
    const [rg, rc] = [await g.train(dg, chunk), await c.train(dc, chunk)];
    expectClose(rg.stepLosses, rc.stepLosses, LOSS_TOL, 'loss curve');
    expectClose(flat(await g.getParams()), flat(await c.getParams()), PARAMS_TOL, 'params after 200 steps');
    const [eg, ec] = [await g.evaluate(dg), await c.evaluate(dc)];
    expect(Math.abs(eg.correct - ec.correct)).toBeLessThanOrEqual(1);
    expect(eg.loss).toBeCloseTo(ec.loss, 4);
    expect(rg.stepLosses[199]).toBeLessThan(rg.stepLosses[0] / 2);
    g.destroy();
    c.destroy();
  });

  it('one trainer alternating the uint8 data and a float32 copy: each chunk equals the CPU twin on uint8 data', async () => {
    const config: TrainerConfig = {
      spec: SPEC, optimizer: defaultOptimizer('adamw', { lr: 0.01 }),
      decay: { mode: 'decoupled', coefficient: 0.05, decayBiases: true }, seed: 6,
    };
    const g = await createGpuTrainer(gpu.device, config, { variant });
    const c = createCpuTrainer(config);
    const [gu8, gf32, cu8] = [await g.addDataset(u8), await g.addDataset(f32), await c.addDataset(u8)];
    for (let i = 0; i < 4; i++) {
      const chunk = randomChunk(u8.count, 25, 8, 0.01, 10 + i);
      const [rg, rc] = [await g.train(i % 2 === 0 ? gu8 : gf32, chunk), await c.train(cu8, chunk)];
      expectClose(rg.stepLosses, rc.stepLosses, LOSS_TOL, `chunk ${i} (${i % 2 === 0 ? 'uint8' : 'float32'}) losses`);
    }
    expectClose(flat(await g.getParams()), flat(await c.getParams()), PARAMS_TOL, 'params after 100 steps');
    const [eu8, ef32] = [await g.evaluate(gu8), await g.evaluate(gf32)];
    expect(eu8.correct).toBe(ef32.correct);
    expect(eu8.loss).toBeCloseTo(ef32.loss, 5);
    g.destroy();
    c.destroy();
  });

  it('batched sweep of 3 models: 60 steps equal one CPU twin per model', async () => {
    const decays: DecayConfig[] = [
      { mode: 'coupled', coefficient: 0, decayBiases: false },
      { mode: 'l2', coefficient: 1e-2, decayBiases: true },
      { mode: 'decoupled', coefficient: 5e-2, decayBiases: false },
    ];
    const optimizer = defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9 });
    const configs: TrainerConfig[] = decays.map((decay, m) => ({ spec: SPEC, optimizer, decay, seed: 40 + m }));
    const sweep = await createGpuSweep(gpu.device, configs, { variant });
    const cpus = configs.map((cfg) => createCpuTrainer(cfg));
    const dg = await sweep.addDataset(u8);
    const dcs = await Promise.all(cpus.map((c) => c.addDataset(u8)));
    const chunk = randomChunk(u8.count, 60, 12, optimizer.lr, 8);
    const rg = await sweep.train(dg, chunk);
    const views = sweep.trainers();
    for (let m = 0; m < configs.length; m++) {
      const rc = await cpus[m].train(dcs[m], chunk);
      expectClose(rg[m].stepLosses, rc.stepLosses, LOSS_TOL, `model ${m} loss curve`);
      expectClose(flat(await views[m].getParams()), flat(await cpus[m].getParams()), PARAMS_TOL, `model ${m} params`);
    }
    sweep.destroy();
    for (const c of cpus) c.destroy();
  });
});
