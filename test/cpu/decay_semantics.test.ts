// Decay semantics measured on the CPU engine: what DESIGN.md's table claims, and what theory predicts.
import { describe, expect, it } from 'vitest';
import { defaultOptimizer, type DecayConfig, type OptimizerConfig } from '../../src/core/optimizer';
import type { ModelSpec } from '../../src/core/spec';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { adamStep, sgdStep } from '../../src/cpu/optimizer_steps';
import { iota, syntheticDataset } from '../helpers/random';

const spec: ModelSpec = { inputSize: 12, hidden: [10, 6], classes: 3 };
const data = syntheticDataset(64 * 8, spec.inputSize, spec.classes, 21);

async function trainParams(optimizer: OptimizerConfig, decay: DecayConfig, steps = 40, seed = 1) {
  const trainer = createCpuTrainer({ spec, optimizer, decay, seed });
  const handle = await trainer.addDataset(data);
  const batch = 8;
  const indices = iota(steps * batch).map((i) => i % data.count);
  await trainer.train(handle, { indices, batchSize: batch, lrs: new Float32Array(steps).fill(optimizer.lr) });
  return trainer.getParams();
}

describe('decay modes', () => {
  it('l2 with λ equals coupled with wd = 2λ under plain SGD, bit for bit', async () => {
    const sgd = defaultOptimizer('sgd', { lr: 0.1 });
    const l2 = await trainParams(sgd, { mode: 'l2', coefficient: 0.0125, decayBiases: false });
    const coupled = await trainParams(sgd, { mode: 'coupled', coefficient: 0.025, decayBiases: false });
    const none = await trainParams(sgd, { mode: 'coupled', coefficient: 0, decayBiases: false });
    expect(l2).toEqual(coupled);
    expect(l2[0].weight).not.toEqual(none[0].weight);
  });

  it('a decoupled SGD step with zero loss gradient scales θ by exactly (1 − η·wd)', () => {
    const theta = Float32Array.from({ length: 33 }, (_, i) => (i - 16) / 7);
    const before = theta.slice();
    const lr = 0.05, wd = 0.3;
    sgdStep(theta, new Float32Array(33), null, 33, {
      lr, momentum: 0, dampening: 0, nesterov: false, firstStep: true, gradCoefficient: 0, paramScale: 1 - lr * wd,
    });
    // Float32 storage rounds θ·(1 − η·wd) once: compare against that single rounding.
    before.forEach((b, i) => expect(theta[i]).toBe(Math.fround(b * (1 - lr * wd))));
  });

  it('under momentum, coupled decay acts 1/(1 − μ) times as strongly as decoupled (zero loss gradient)', () => {
    // Coupled decay enters the momentum buffer, so in steady state each step applies η·wd/(1 − μ); decoupled
    // decay applies η·wd. Over N ≫ 1/(1 − μ) steps the log-shrinkage ratio tends to 1/(1 − μ) = 10.
    const mu = 0.9, lr = 0.01, wd = 0.01, N = 2000;
    const shrink = (coupled: boolean): number => {
      const theta = new Float64Array([1]);
      const buf = new Float64Array(1);
      for (let t = 0; t < N; t++) {
        sgdStep(theta, new Float64Array(1), buf, 1, {
          lr, momentum: mu, dampening: 0, nesterov: false, firstStep: t === 0,
          gradCoefficient: coupled ? wd : 0, paramScale: coupled ? 1 : 1 - lr * wd,
        });
      }
      return -Math.log(theta[0]);
    };
    const ratio = shrink(true) / shrink(false);
    expect(ratio).toBeGreaterThan(9.5);
    expect(ratio).toBeLessThan(10.5);
  });

  it('under Adam, coupled (L2) decay is divided by √v: weights with noisy gradients are decayed far less; AdamW decays all alike', () => {
    // Loshchilov & Hutter: with L2 in Adam the decay term wd·θ is normalised by the gradient's RMS, so a weight
    // whose loss gradient has RMS σ gets decay ∝ 1/σ; AdamW's decoupled decay η·wd·θ ignores σ.
    const lr = 1e-3, wd = 0.01, N = 200;
    const sigmas = [1, 1e-3];
    const decayDisplacement = (mode: 'coupled' | 'decoupled'): number[] => {
      const run = (coefficient: number): Float64Array => {
        const theta = new Float64Array([1, 1]);
        const m = new Float64Array(2), v = new Float64Array(2);
        for (let t = 1; t <= N; t++) {
          // Zero-mean loss gradients of RMS σ: alternating signs.
          const grad = Float64Array.from(sigmas, (s) => (t % 2 ? s : -s));
          adamStep(theta, grad, m, v, 2, {
            lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: t,
            gradCoefficient: mode === 'coupled' ? coefficient : 0, paramScale: mode === 'decoupled' ? 1 - lr * coefficient : 1,
          });
        }
        return theta;
      };
      const free = run(0), decayed = run(wd);
      return [free[0] - decayed[0], free[1] - decayed[1]];
    };
    const [noisyC, quietC] = decayDisplacement('coupled');
    const [noisyD, quietD] = decayDisplacement('decoupled');
    expect(quietC / noisyC).toBeGreaterThan(10);
    expect(quietD / noisyD).toBeGreaterThan(0.95);
    expect(quietD / noisyD).toBeLessThan(1.05);
    expect(noisyD).toBeGreaterThan(0);
  });

  it('coupled and decoupled give different parameters under momentum and under Adam, not under plain SGD with constant η', async () => {
    const wd = 0.05;
    const diff = async (opt: OptimizerConfig): Promise<number> => {
      const a = await trainParams(opt, { mode: 'coupled', coefficient: wd, decayBiases: false });
      const b = await trainParams(opt, { mode: 'decoupled', coefficient: wd, decayBiases: false });
      let d = 0;
      a.forEach((l, i) => l.weight.forEach((w, j) => (d = Math.max(d, Math.abs(w - b[i].weight[j])))));
      return d;
    };
    // Plain SGD: θ − η(g + wd·θ) and (1 − η·wd)θ − ηg are the same update, up to float32 rounding order.
    expect(await diff(defaultOptimizer('sgd', { lr: 0.1 }))).toBeLessThan(1e-5);
    expect(await diff(defaultOptimizer('sgd', { lr: 0.1, momentum: 0.9 }))).toBeGreaterThan(1e-3);
    expect(await diff(defaultOptimizer('adam', { lr: 0.01 }))).toBeGreaterThan(1e-3);
  });

  it('biases are untouched by decay unless decayBiases is set', async () => {
    const sgd = defaultOptimizer('sgd', { lr: 0.1 });
    for (const mode of ['l2', 'coupled', 'decoupled'] as const) {
      const off = await trainParams(sgd, { mode, coefficient: 0.5, decayBiases: false }, 1);
      const noneOne = await trainParams(sgd, { mode, coefficient: 0, decayBiases: false }, 1);
      const on = await trainParams(sgd, { mode, coefficient: 0.5, decayBiases: true }, 1);
      // After one step the biases have seen the same loss gradient, so only the decay can separate them.
      off.forEach((l, i) => expect(l.bias).toEqual(noneOne[i].bias));
      on.forEach((l, i) => expect(l.bias).not.toEqual(noneOne[i].bias));
      // …while the weights are decayed in every mode.
      expect(off[0].weight).not.toEqual(noneOne[0].weight);
    }
  });
});

describe('CPU engine state', () => {
  it('the same seed gives identical parameters twice; another seed does not', async () => {
    const opt = defaultOptimizer('adam', { lr: 0.01 });
    const decay: DecayConfig = { mode: 'decoupled', coefficient: 0.01, decayBiases: false };
    const a = await trainParams(opt, decay, 30, 4);
    const b = await trainParams(opt, decay, 30, 4);
    const c = await trainParams(opt, decay, 30, 5);
    expect(a).toEqual(b);
    expect(a[0].weight).not.toEqual(c[0].weight);
  });

  it('getState → setState in a new trainer continues exactly where the first left off', async () => {
    for (const opt of [defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9 }), defaultOptimizer('adamw', { lr: 0.01 })]) {
      const decay: DecayConfig = { mode: 'coupled', coefficient: 0.01, decayBiases: true };
      const chunk = (from: number) => ({
        indices: iota(10 * 8).map((i) => (i + from) % data.count), batchSize: 8, lrs: new Float32Array(10).fill(opt.lr),
      });
      const straight = createCpuTrainer({ spec, optimizer: opt, decay, seed: 9 });
      const h1 = await straight.addDataset(data);
      await straight.train(h1, chunk(0));
      const saved = await straight.getState();
      await straight.train(h1, chunk(80));

      const resumed = createCpuTrainer({ spec, optimizer: opt, decay, seed: 123 });
      const h2 = await resumed.addDataset(data);
      await resumed.setState(saved);
      expect(resumed.step).toBe(10);
      await resumed.train(h2, chunk(80));
      expect(await resumed.getState()).toEqual(await straight.getState());
    }
  });

  it('rejects bad chunks and states with messages that name the problem', async () => {
    const trainer = createCpuTrainer({ spec, optimizer: defaultOptimizer('sgd'), decay: { mode: 'l2', coefficient: 0, decayBiases: false }, seed: 0 });
    const h = await trainer.addDataset(data);
    await expect(trainer.train(h, { indices: iota(10), batchSize: 4, lrs: new Float32Array(2) })).rejects.toThrow(/not a multiple of batchSize 4/);
    await expect(trainer.train(h, { indices: new Uint32Array([0, 99999]), batchSize: 2, lrs: new Float32Array(1) })).rejects.toThrow(/99999 is out of range/);
    await expect(trainer.train(h, { indices: iota(4), batchSize: 4, lrs: new Float32Array([NaN]) })).rejects.toThrow(/lr of step 0 is NaN/);
    const state = await trainer.getState();
    state.params[1].weight = new Float32Array(3);
    await expect(trainer.setState(state)).rejects.toThrow(/layer 1 weight: expected 6×10/);
    expect(() => createCpuTrainer({ spec, optimizer: defaultOptimizer('sgd', { lr: -1 }), decay: { mode: 'l2', coefficient: 0, decayBiases: false }, seed: 0 })).toThrow(/lr must be positive/);
  });
});
