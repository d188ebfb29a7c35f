// What the three decay modes do, measured on the GPU engine. "Dead" weights (first-layer weights of input features
// that are always 0) get no loss gradient, so on them each mode's update is a closed-form recurrence we can predict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/core/dataset';
import { defaultOptimizer, type DecayConfig, type OptimizerConfig } from '../../src/core/optimizer';
import type { ModelParams } from '../../src/core/params';
import type { ModelSpec } from '../../src/core/spec';
import type { TrainChunk, TrainChunkResult } from '../../src/core/trainer';
import { createGpuTrainer } from '../../src/gpu/gpu_trainer';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose } from '../helpers/expect_close';
import { testGpu } from './helpers/gpu_device';
import { randomChunk, syntheticDataset } from './helpers/synthetic';

const SPEC: ModelSpec = { inputSize: 20, hidden: [16], classes: 4 };
const DEAD = 5; // input features 0..4 are always 0
const STEPS = 100;
const U = 2 ** -24;

/** 20 features of which the first DEAD are zeroed (scale 1, shift 0 keeps them exactly 0 after normalisation). */
function deadInputData() {
  const base = syntheticDataset(128, SPEC.inputSize, SPEC.classes, 21, 'f32');
  const features = (base.features as Float32Array).slice();
  for (let i = 0; i < base.count; i++) features.fill(0, i * SPEC.inputSize, i * SPEC.inputSize + DEAD);
  return makeDataset(features, base.labels, SPEC.inputSize, SPEC.classes);
}
const DATA = deadInputData();

function constantChunk(lr: number, seed: number): TrainChunk {
  const c = randomChunk(DATA.count, STEPS, 16, lr, seed);
  return { ...c, lrs: new Float32Array(STEPS).fill(lr) };
}

/** First-layer weights split into dead (input < DEAD) and live columns. */
function split(p: ModelParams): { dead: number[]; live: number[] } {
  const w = p[0].weight;
  const dead: number[] = [];
  const live: number[] = [];
  for (let i = 0; i < w.length; i++) ((i % SPEC.inputSize) < DEAD ? dead : live).push(w[i]);
  return { dead, live };
}

let gpu: NodeGpu;
beforeAll(async () => { gpu = await testGpu(); });
afterAll(() => gpu.destroy());

async function run(optimizer: OptimizerConfig, decay: DecayConfig): Promise<{ before: ModelParams; after: ModelParams; result: TrainChunkResult }> {
  const t = await createGpuTrainer(gpu.device, { spec: SPEC, optimizer, decay, seed: 5 });
  const d = await t.addDataset(DATA);
  const before = await t.getParams();
  const result = await t.train(d, constantChunk(optimizer.lr, 8));
  const after = await t.getParams();
  t.destroy();
  return { before, after, result };
}

describe('decay modes on the GPU', () => {
  it('l2 with λ equals coupled with wd = 2λ under plain SGD, bit for bit', async () => {
    const sgd = defaultOptimizer('sgd', { lr: 0.1 });
    const l2 = await run(sgd, { mode: 'l2', coefficient: 0.015, decayBiases: true });
    const coupled = await run(sgd, { mode: 'coupled', coefficient: 0.03, decayBiases: true });
    // 2·λ is an exact doubling, so both put the same f32 coefficient in the step uniform: identical arithmetic.
    expect(Array.from(l2.result.stepLosses)).toEqual(Array.from(coupled.result.stepLosses));
    expect(l2.after).toEqual(coupled.after);
    // And decay did something: without it the weights differ.
    const none = await run(sgd, { mode: 'l2', coefficient: 0, decayBiases: true });
    expect(none.after).not.toEqual(l2.after);
  });

  it('decoupled SGD scales dead weights by exactly (1 − η·wd) per step', async () => {
    const lr = 0.1;
    const wd = 0.2;
    const { before, after } = await run(defaultOptimizer('sgd', { lr }), { mode: 'decoupled', coefficient: wd, decayBiases: false });
    const scale = Math.fround(1 - lr * wd);
    // The GPU does one f32 multiply per step: replaying it in f32 gives the same bits.
    const expected = split(before).dead.map((w) => {
      let v = w;
      for (let s = 0; s < STEPS; s++) v = Math.fround(v * scale);
      return v;
    });
    expect(split(after).dead).toEqual(expected);
  });

  it('with momentum, coupled decay on dead weights compounds through the buffer (≈ η·wd/(1 − μ) per step); decoupled stays η·wd', async () => {
    const lr = 0.05;
    const wd = 0.1;
    const mu = 0.9;
    const sgd = defaultOptimizer('sgd', { lr, momentum: mu });
    const coupled = await run(sgd, { mode: 'coupled', coefficient: wd, decayBiases: false });
    const decoupled = await run(sgd, { mode: 'decoupled', coefficient: wd, decayBiases: false });
    const w0 = split(coupled.before).dead;
    // Coupled: g = wd·θ enters buf = μ·buf + g (buf = g on step 1), θ ← θ − η·buf: a linear recurrence, replayed in f64.
    const predictedCoupled = w0.map((w) => {
      let theta = w;
      let buf = 0;
      for (let s = 0; s < STEPS; s++) {
        const g = wd * theta;
        buf = s === 0 ? g : mu * buf + g;
        theta -= lr * buf;
      }
      return theta;
    });
    // f32 rounding over 100 steps of a contracting recurrence: relative 1e-5 (≈ 100 steps × a few u).
    expectClose(split(coupled.after).dead, predictedCoupled, { atol: 1e-9, rtol: 1e-5 }, 'coupled dead weights');
    // Decoupled: θ ← (1 − η·wd)θ − η·buf with buf = 0 (no loss gradient) — the momentum never sees the decay.
    expectClose(split(decoupled.after).dead, w0.map((w) => w * (1 - lr * wd) ** STEPS), { atol: 1e-9, rtol: 1e-5 }, 'decoupled dead weights');
    // The prediction in one number: the coupled shrink factor is far below the decoupled one, close to the
    // (1 − η·wd/(1 − μ))^T of a momentum-amplified decay.
    const shrink = (a: number[], b: number[]) => Math.hypot(...b) / Math.hypot(...a);
    const sc = shrink(w0, split(coupled.after).dead);
    const sd = shrink(w0, split(decoupled.after).dead);
    expect(sd).toBeCloseTo((1 - lr * wd) ** STEPS, 5);
    expect(sc).toBeLessThan(sd ** 5);
  });

  it('with Adam, coupled decay moves dead weights by ≈ η per step whatever wd is (√v normalises it away); decoupled by η·wd·θ', async () => {
    // Adam divides g = wd·θ by √v ≈ |wd·θ|: each step moves θ by ≈ η toward 0, for any wd > 0. AdamW shrinks by
    // the factor (1 − η·wd) instead: weights with small gradients are decayed far more by coupled Adam than by AdamW.
    const lr = 5e-4;
    const adam = defaultOptimizer('adam', { lr });
    const travelled = (r: { before: ModelParams; after: ModelParams }) => {
      const b = split(r.before).dead;
      const a = split(r.after).dead;
      // Weights far from 0 (|θ| > 2·η·T) do not reach it: they show the per-step travel.
      return b.flatMap((w, i) => (Math.abs(w) > 2 * lr * STEPS ? [Math.abs(w) - Math.abs(a[i])] : []));
    };
    for (const wd of [1e-3, 1e-1]) {
      const coupled = travelled(await run(adam, { mode: 'coupled', coefficient: wd, decayBiases: false }));
      expect(coupled.length).toBeGreaterThan(10);
      // m̂/√v̂ of a slowly shrinking g of one sign is just under 1 (v remembers larger past g²): between 0.8 and 1.
      for (const t of coupled) {
        expect(t).toBeGreaterThan(0.8 * lr * STEPS);
        expect(t).toBeLessThanOrEqual(lr * STEPS * (1 + 1e-4));
      }
      const decoupled = await run(adam, { mode: 'decoupled', coefficient: wd, decayBiases: false });
      const w0 = split(decoupled.before).dead;
      // Zero gradient: m = v = 0, Adam's update is 0/(0 + eps) = 0; only the decoupled factor acts.
      expectClose(split(decoupled.after).dead, w0.map((w) => w * (1 - lr * wd) ** STEPS), { atol: 0, rtol: 100 * 2 * U }, `AdamW wd=${wd}`);
    }
  });
});
