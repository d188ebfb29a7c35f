// GpuTrainer against CpuTrainer (the f32 CPU twins): 1 step and 200 steps for every optimizer × decay mode, plus
// evaluation, probabilities, weight norms and the state round trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOptimizer, type DecayMode, type OptimizerConfig } from '../../src/core/optimizer';
import type { ModelParams } from '../../src/core/params';
import type { ModelSpec } from '../../src/core/spec';
import type { Trainer, TrainerConfig } from '../../src/core/trainer';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { createGpuTrainer } from '../../src/gpu/gpu_trainer';
import { VARIANTS, type KernelVariant } from '../../src/gpu/kernel_variants';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose, type Tolerance } from '../helpers/expect_close';
import { driverName, testGpu } from './helpers/gpu_device';
import { randomChunk, syntheticDataset } from './helpers/synthetic';

const SPEC: ModelSpec = { inputSize: 13, hidden: [7, 5], classes: 3 };
const DATA = syntheticDataset(97, 13, 3, 7, 'u8');
// Widths that are multiples of 4 run the vec4 GEMM kernels (kernel_variants.ts); 13-7-5-3 runs the scalar ones.
const MODELS: [string, ModelSpec, typeof DATA][] = [
  ['13-7-5-3', SPEC, DATA],
  ['20-16-8-3', { inputSize: 20, hidden: [16, 8], classes: 3 }, syntheticDataset(97, 20, 3, 8, 'f32')],
];

const OPTIMIZERS: [string, OptimizerConfig][] = [
  ['sgd', defaultOptimizer('sgd', { lr: 0.1 })],
  ['sgd momentum', defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9, dampening: 0.1 })],
  ['sgd nesterov', defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9, nesterov: true })],
  ['adam', defaultOptimizer('adam', { lr: 0.01 })],
  ['adamw', defaultOptimizer('adamw', { lr: 0.01 })],
];
const DECAYS: [DecayMode, number][] = [['l2', 0.01], ['coupled', 0.02], ['decoupled', 0.05]];

/**
 * One step: both engines compute the same f32 formulas, the GPU with f32 arithmetic and other summation orders,
 * the CPU rounding f64 intermediates to f32 per kernel. Gradients of this 13-7-5-3 model differ by ~1e-7, so after
 * one step params differ by ≲ lr·1e-6: atol 1e-6 (rtol 1e-6 for the rounding of |θ| ≤ 1).
 * 200 steps: those differences are carried and grow (momentum sums them, Adam divides by √v, which amplifies them
 * where v is small); measured on lavapipe and SwiftShader: ≤ 2.5e-5 after 200 steps (Adam, coupled). atol 2e-4 +
 * rtol 1e-4 leaves 8× for other drivers' exp/sqrt; a wrong formula (a missed decay term, a wrong bias correction)
 * moves params by ≥ 1e-3.
 */
const ONE_STEP: Tolerance = { atol: 1e-6, rtol: 1e-6 };
const MANY_STEPS: Tolerance = { atol: 2e-4, rtol: 1e-4 };

let gpu: NodeGpu;
const worst = new Map<string, number>();
beforeAll(async () => { gpu = await testGpu(); });
afterAll(() => {
  for (const [k, v] of worst) console.log(`[${driverName(gpu.info)}] GPU vs CPU trainer ${k}: max |param err| ${v.toExponential(2)}`);
  gpu.destroy();
});

function flat(p: ModelParams): number[] {
  return p.flatMap((l) => [...l.weight, ...l.bias]);
}

async function pair(config: TrainerConfig, variant: KernelVariant = VARIANTS.software): Promise<[Trainer, Trainer]> {
  return [await createGpuTrainer(gpu.device, config, { variant }), createCpuTrainer(config)];
}

describe('GpuTrainer matches CpuTrainer', () => {
  // Every optimizer × decay mode on both models with the CPU-driver kernels, and a few with the real-GPU ones
  // (tiled forward, larger workgroups), which these CPU drivers run too.
  const cases = [
    ...MODELS.flatMap((m) => OPTIMIZERS.flatMap((o) => DECAYS.map((d) => [m, o, d, VARIANTS.software] as const))),
    ...MODELS.flatMap((m) => [[m, OPTIMIZERS[2], DECAYS[1], VARIANTS.hardware], [m, OPTIMIZERS[4], DECAYS[2], VARIANTS.hardware]] as const),
  ];
  for (const [[model, spec, data], [name, optimizer], [mode, coefficient], variant] of cases) {
    it(`${model}, ${name}, ${mode} decay, ${variant.name} kernels: 1 step and 200 steps`, async () => {
      const DATA = data;
      const config: TrainerConfig = { spec, optimizer, decay: { mode, coefficient, decayBiases: mode === 'coupled' }, seed: 11 };
      const [g, c] = await pair(config, variant);
      const dg = await g.addDataset(DATA);
      const dc = await c.addDataset(DATA);
      expectClose(flat(await g.getParams()), flat(await c.getParams()), { atol: 0, rtol: 0 }, 'initial params');

      const one = randomChunk(DATA.count, 1, 9, optimizer.lr, 1);
      const rg1 = await g.train(dg, one);
      const rc1 = await c.train(dc, one);
      expectClose(rg1.stepLosses, rc1.stepLosses, { atol: 1e-6, rtol: 1e-6 }, 'first loss');
      expect(rg1.correct).toBe(rc1.correct);
      const e1 = expectClose(flat(await g.getParams()), flat(await c.getParams()), ONE_STEP, 'params after 1 step');
      worst.set(`${model} ${name}/${mode}/${variant.name} 1 step`, e1.maxAbsError);

      // 199 more steps at batch 7 (no tile divides it): 200 in all.
      const many = randomChunk(DATA.count, 199, 7, optimizer.lr, 2);
      const rg = await g.train(dg, many);
      const rc = await c.train(dc, many);
      // Losses are O(1) and follow the params: the same 10×-of-measured margin.
      expectClose(rg.stepLosses, rc.stepLosses, { atol: 1e-5, rtol: 1e-4 }, 'loss curve');
      expect(g.step).toBe(200);
      const e = expectClose(flat(await g.getParams()), flat(await c.getParams()), MANY_STEPS, 'params after 200 steps');
      worst.set(`${model} ${name}/${mode}/${variant.name} 200 steps`, e.maxAbsError);
      // Training happened: the loss fell.
      expect(rg.stepLosses[198]).toBeLessThan(rg1.stepLosses[0]);
      g.destroy();
      c.destroy();
    });
  }
});

describe('GpuTrainer evaluation and state', () => {
  it('evaluate, predictions, probabilities and weight norms agree with the CPU engine', async () => {
    // 1100 samples: two full evaluation batches of 512 and a remainder of 76.
    const data = syntheticDataset(1100, 13, 3, 5, 'f32');
    const config: TrainerConfig = { spec: SPEC, optimizer: defaultOptimizer('sgd', { lr: 0.1 }), decay: { mode: 'l2', coefficient: 0, decayBiases: false }, seed: 3 };
    const [g, c] = await pair(config);
    const [dg, dc] = [await g.addDataset(data), await c.addDataset(data)];
    const chunk = randomChunk(data.count, 20, 32, 0.1, 9);
    await g.train(dg, chunk);
    await c.train(dc, chunk);
    const [eg, ec] = [await g.evaluate(dg, { predictions: true }), await c.evaluate(dc, { predictions: true })];
    expect(eg.count).toBe(1100);
    // Loss sums in f32 over 512-sample batches: relative 1e-5.
    expectClose([eg.loss], [ec.loss], { atol: 0, rtol: 1e-5 }, 'evaluation loss');
    // Argmaxes agree except where two logits tie within the engines' rounding difference: allow 2 of 1100.
    const differ = eg.predictions!.reduce((n, p, i) => n + (p === ec.predictions![i] ? 0 : 1), 0);
    expect(differ).toBeLessThanOrEqual(2);
    expect(Math.abs(eg.correct - ec.correct)).toBeLessThanOrEqual(2);
    const sub = Uint32Array.from([5, 1099, 0, 5]);
    expectClose(await g.predictProbabilities(dg, sub), await c.predictProbabilities(dc, sub), { atol: 1e-5, rtol: 0 }, 'probabilities');
    expectClose(await g.weightSquaredNorms(), await c.weightSquaredNorms(), { atol: 0, rtol: 1e-5 }, 'weight norms');
    const single = await g.evaluate(dg, { indices: Uint32Array.from([3]) });
    expect(single.count).toBe(1);
    await expect(g.evaluate(dg, { indices: Uint32Array.from([1100]) })).rejects.toThrow(/out of range/);
    g.destroy();
    c.destroy();
  });

  for (const [name, optimizer] of [OPTIMIZERS[1], OPTIMIZERS[3]]) {
    it(`${name}: getState/setState round-trips params and optimizer state, and training resumes identically`, async () => {
      const config: TrainerConfig = { spec: SPEC, optimizer, decay: { mode: 'decoupled', coefficient: 0.1, decayBiases: false }, seed: 4 };
      const a = await createGpuTrainer(gpu.device, config);
      const da = await a.addDataset(DATA);
      await a.train(da, randomChunk(DATA.count, 30, 8, optimizer.lr, 1));
      const state = await a.getState();
      expect(state.optimizer.step).toBe(30);
      const b = await createGpuTrainer(gpu.device, { ...config, seed: 999 });
      const db = await b.addDataset(DATA);
      await b.setState(state);
      expect(b.step).toBe(30);
      const back = await b.getState();
      expect(back).toEqual(state);
      const next = randomChunk(DATA.count, 10, 8, optimizer.lr, 2);
      const [ra, rb] = [await a.train(da, next), await b.train(db, next)];
      expect(Array.from(rb.stepLosses)).toEqual(Array.from(ra.stepLosses));
      expect(flat(await b.getParams())).toEqual(flat(await a.getParams()));
      await expect(b.setState({ ...state, optimizer: { step: 1 } })).rejects.toThrow(/lacks/);
      a.destroy();
      b.destroy();
    });
  }
});
