// Batched λ sweeps (src/gpu/gpu_sweep.ts): K models trained in the same dispatches must each match a separate
// CpuTrainer of their own config — losses, params, evaluation, probabilities and weight norms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOptimizer, type DecayConfig, type OptimizerConfig } from '../../src/core/optimizer';
import type { ModelParams } from '../../src/core/params';
import type { ModelSpec } from '../../src/core/spec';
import type { TrainerConfig } from '../../src/core/trainer';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { createGpuSweep, MAX_SWEEP_MODELS } from '../../src/gpu/gpu_sweep';
import { VARIANTS, type KernelVariant } from '../../src/gpu/kernel_variants';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose, type Tolerance } from '../helpers/expect_close';
import { driverName, testGpu } from './helpers/gpu_device';
import { randomChunk, syntheticDataset } from './helpers/synthetic';

// 13-7-5-3 runs the scalar GEMM kernels, 20-16-8-3 the vec4 and register-blocked ones (kernel_variants.ts).
const MODELS: [string, ModelSpec, ReturnType<typeof syntheticDataset>][] = [
  ['13-7-5-3', { inputSize: 13, hidden: [7, 5], classes: 3 }, syntheticDataset(97, 13, 3, 7, 'u8')],
  ['20-16-8-3', { inputSize: 20, hidden: [16, 8], classes: 3 }, syntheticDataset(97, 20, 3, 8, 'f32')],
];
const COEFFICIENTS = [0, 1e-3, 5e-2];
const OPTIMIZERS: [string, OptimizerConfig, (c: number, m: number) => DecayConfig][] = [
  // SGD with momentum: L2 penalties, biases decayed in one model only.
  ['sgd momentum', defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9, dampening: 0.1 }), (c, m) => ({ mode: 'l2', coefficient: c, decayBiases: m === 1 })],
  ['adamw', defaultOptimizer('adamw', { lr: 0.01 }), (c) => ({ mode: 'decoupled', coefficient: c, decayBiases: false })],
  // Modes differ per model too: each model's own terms come from its slot of the step uniform.
  ['adam, mixed modes', defaultOptimizer('adam', { lr: 0.01 }), (c, m) => ({ mode: (['l2', 'coupled', 'decoupled'] as const)[m], coefficient: c, decayBiases: m === 2 })],
];

/**
 * The same tolerances as trainer_vs_cpu.test.ts (there justified for 200 steps; these runs take 50): each model of a
 * sweep computes exactly the formulas of a single GpuTrainer, so it stands to the CPU twin as a single trainer does.
 * A model reading another's params or decay terms (a wrong stride) moves params by far more (λ differs by ≥ 1e-3·lr
 * per step, and the seeds differ).
 */
const PARAMS_TOL: Tolerance = { atol: 2e-4, rtol: 1e-4 };
const LOSS_TOL: Tolerance = { atol: 1e-5, rtol: 1e-4 };

let gpu: NodeGpu;
const worst = new Map<string, number>();
beforeAll(async () => { gpu = await testGpu(); });
afterAll(() => {
  for (const [k, v] of worst) console.log(`[${driverName(gpu.info)}] batched sweep vs CPU ${k}: max |param err| ${v.toExponential(2)}`);
  gpu.destroy();
});

function flat(p: ModelParams): number[] {
  return p.flatMap((l) => [...l.weight, ...l.bias]);
}

describe('a batched GPU sweep matches one CpuTrainer per model', () => {
  const cases: [typeof MODELS[number], typeof OPTIMIZERS[number], number, KernelVariant][] = [
    ...MODELS.flatMap((m) => OPTIMIZERS.map((o) => [m, o, 3, VARIANTS.software] as [typeof m, typeof o, number, KernelVariant])),
    [MODELS[1], OPTIMIZERS[0], 1, VARIANTS.software],
    [MODELS[1], OPTIMIZERS[1], 3, VARIANTS.hardware],
  ];
  for (const [[model, spec, data], [name, optimizer, decayOf], K, variant] of cases) {
    it(`${model}, ${name}, K = ${K}, ${variant.name} kernels: 50 steps`, async () => {
      const configs: TrainerConfig[] = COEFFICIENTS.slice(0, K).map((c, m) => ({ spec, optimizer, decay: decayOf(c, m), seed: 20 + m }));
      const sweep = await createGpuSweep(gpu.device, configs, { variant });
      const cpus = configs.map((c) => createCpuTrainer(c));
      const dg = await sweep.addDataset(data);
      const dcs = await Promise.all(cpus.map((c) => c.addDataset(data)));
      const views = sweep.trainers();
      expect(views).toHaveLength(K);
      for (let m = 0; m < K; m++) {
        expectClose(flat(await views[m].getParams()), flat(await cpus[m].getParams()), { atol: 0, rtol: 0 }, `model ${m} initial params`);
      }
      // Two chunks (batch 7, no tile divides it): 1 + 49 steps, the second resuming the shared step count.
      for (const chunk of [randomChunk(data.count, 1, 7, optimizer.lr, 1), randomChunk(data.count, 49, 7, optimizer.lr, 2)]) {
        const rg = await sweep.train(dg, chunk);
        expect(rg).toHaveLength(K);
        for (let m = 0; m < K; m++) {
          const rc = await cpus[m].train(dcs[m], chunk);
          expectClose(rg[m].stepLosses, rc.stepLosses, LOSS_TOL, `model ${m} loss curve`);
          expect(Math.abs(rg[m].correct - rc.correct)).toBeLessThanOrEqual(1);
        }
      }
      expect(sweep.step).toBe(50);
      expect(views[K - 1].step).toBe(50);
      const finals: number[][] = [];
      for (let m = 0; m < K; m++) {
        const p = flat(await views[m].getParams());
        finals.push(p);
        const e = expectClose(p, flat(await cpus[m].getParams()), PARAMS_TOL, `model ${m} params after 50 steps`);
        worst.set(`${model} ${name} K=${K} ${variant.name} model ${m}`, Math.max(worst.get(`${model} ${name} K=${K} ${variant.name} model ${m}`) ?? 0, e.maxAbsError));
        const state = await views[m].getState();
        expect(flat(state.params)).toEqual(p);
        expectClose(await views[m].weightSquaredNorms(), await cpus[m].weightSquaredNorms(), { atol: 0, rtol: 1e-4 }, `model ${m} weight norms`);
        // Evaluation of the whole set reads this model's metrics only.
        const [eg, ec] = [await views[m].evaluate(dg), await cpus[m].evaluate(dcs[m])];
        expectClose([eg.loss], [ec.loss], { atol: 0, rtol: 1e-4 }, `model ${m} evaluation loss`);
        expect(Math.abs(eg.correct - ec.correct)).toBeLessThanOrEqual(1);
        const sub = Uint32Array.from([5, 96, 0]);
        expectClose(await views[m].predictProbabilities(dg, sub), await cpus[m].predictProbabilities(dcs[m], sub), { atol: 1e-4, rtol: 0 }, `model ${m} probabilities`);
      }
      // The models really differ (distinct seeds and λ): a stride bug that made them read one another would not.
      if (K > 1) expect(finals[1]).not.toEqual(finals[0]);
      sweep.destroy();
      for (const c of cpus) c.destroy();
    });
  }
});

describe('batched GPU sweep: invalid input', () => {
  const spec: ModelSpec = { inputSize: 4, hidden: [3], classes: 2 };
  const base: TrainerConfig = { spec, optimizer: defaultOptimizer('sgd', { lr: 0.1 }), decay: { mode: 'l2', coefficient: 0, decayBiases: false }, seed: 1 };

  it('rejects configs that cannot share dispatches, and too many models', async () => {
    await expect(createGpuSweep(gpu.device, [])).rejects.toThrow(/at least one config/);
    await expect(createGpuSweep(gpu.device, [base, { ...base, spec: { ...spec, hidden: [4] } }])).rejects.toThrow(/model 1 has spec .* share one spec/);
    await expect(createGpuSweep(gpu.device, [base, { ...base, optimizer: { ...base.optimizer, lr: 0.2 } }])).rejects.toThrow(/optimizer lr 0.2, model 0 0.1/);
    await expect(createGpuSweep(gpu.device, Array.from({ length: MAX_SWEEP_MODELS + 1 }, () => base))).rejects.toThrow(/at most 13 models/);
  });

  it("a member's own train call points to the sweep", async () => {
    const sweep = await createGpuSweep(gpu.device, [base, { ...base, decay: { ...base.decay, coefficient: 0.1 } }]);
    const data = syntheticDataset(10, 4, 2, 3, 'f32');
    const [a] = sweep.trainers();
    const h = await a.addDataset(data);
    await expect(a.train(h, randomChunk(10, 1, 2, 0.1, 1))).rejects.toThrow(/GpuSweep\.train/);
    sweep.destroy();
  });
});
