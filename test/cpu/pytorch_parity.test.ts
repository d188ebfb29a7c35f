// The CPU engine (float32) against PyTorch (float64) for every optimizer × decay mode: the semantics of
// momentum, dampening, Nesterov, Adam, AdamW, l2 / coupled / decoupled decay and decayBiases as PyTorch users know them.
import { beforeAll, describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/core/dataset';
import { initParams } from '../../src/core/init';
import { defaultOptimizer, type DecayConfig, type OptimizerConfig } from '../../src/core/optimizer';
import type { ModelSpec } from '../../src/core/spec';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { expectClose } from '../helpers/expect_close';
import { iota, syntheticDataset } from '../helpers/random';
import { runTorchReference, type TorchResult } from '../helpers/torch_reference';

const spec: ModelSpec = { inputSize: 20, hidden: [16], classes: 4 };
const batch = 8;
const steps = 30;

const cases: { name: string; optimizer: OptimizerConfig; decay: DecayConfig }[] = [
  { name: 'sgd, coupled', optimizer: defaultOptimizer('sgd', { lr: 0.1 }), decay: { mode: 'coupled', coefficient: 0.05, decayBiases: false } },
  { name: 'sgd, l2', optimizer: defaultOptimizer('sgd', { lr: 0.1 }), decay: { mode: 'l2', coefficient: 0.025, decayBiases: false } },
  { name: 'sgd, decoupled, biases decayed', optimizer: defaultOptimizer('sgd', { lr: 0.1 }), decay: { mode: 'decoupled', coefficient: 0.05, decayBiases: true } },
  { name: 'sgd momentum+dampening, coupled', optimizer: defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9, dampening: 0.1 }), decay: { mode: 'coupled', coefficient: 0.05, decayBiases: true } },
  { name: 'sgd momentum, decoupled', optimizer: defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9 }), decay: { mode: 'decoupled', coefficient: 0.05, decayBiases: false } },
  { name: 'sgd nesterov, l2', optimizer: defaultOptimizer('sgd', { lr: 0.05, momentum: 0.8, nesterov: true }), decay: { mode: 'l2', coefficient: 0.02, decayBiases: false } },
  { name: 'adam, coupled', optimizer: defaultOptimizer('adam', { lr: 0.01 }), decay: { mode: 'coupled', coefficient: 0.05, decayBiases: false } },
  { name: 'adam, l2, biases decayed', optimizer: defaultOptimizer('adam', { lr: 0.01 }), decay: { mode: 'l2', coefficient: 0.02, decayBiases: true } },
  { name: 'adamw, decoupled', optimizer: defaultOptimizer('adamw', { lr: 0.01 }), decay: { mode: 'decoupled', coefficient: 0.1, decayBiases: false } },
];

describe('CPU engine matches PyTorch step for step', () => {
  const data = syntheticDataset(steps * batch, spec.inputSize, spec.classes, 5);
  const initial = initParams(spec, 3);
  // A schedule that changes every step exercises the per-step lr (and decoupled decay's η·wd).
  const lrScale = Float32Array.from({ length: steps }, (_, s) => 1 - (0.5 * s) / steps);

  const lrsOf = (c: (typeof cases)[number]): Float32Array => lrScale.map((f) => f * c.optimizer.lr);
  let torch: TorchResult[] = [];
  beforeAll(() => {
    torch = runTorchReference(cases.map((c) => ({
      spec, params: initial, optimizer: c.optimizer, decay: c.decay, lrs: Array.from(lrsOf(c)),
      batches: Array.from({ length: steps }, (_, s) => ({
        x: Array.from(data.features.subarray(s * batch * spec.inputSize, (s + 1) * batch * spec.inputSize)),
        labels: Array.from(data.labels.subarray(s * batch, (s + 1) * batch)),
      })),
    })));
  });

  cases.forEach((c, k) => {
    it(c.name, async () => {
      const trainer = createCpuTrainer({ spec, optimizer: c.optimizer, decay: c.decay, seed: 0, initialParams: initial });
      const handle = await trainer.addDataset(data);
      const result = await trainer.train(handle, { indices: iota(steps * batch), batchSize: batch, lrs: lrsOf(c) });
      const ours = await trainer.getParams();
      const reference = torch[k];
      // Ours runs in float32, PyTorch here in float64: each step rounds every parameter to 2^-24 relative, and 30
      // steps of a contracting update keep the drift near 30·6e-8·|θ| ≈ 2e-6·|θ|; 2e-5 absolute covers weights near 0
      // whose updates are differences of rounded terms. A formula error (a missing dampening, 2λ vs λ, Adam's bias
      // correction) shows up at 1e-3 or more within a few steps.
      const tol = { atol: 2e-5, rtol: 1e-4 };
      expectClose(result.stepLosses, reference.losses, tol, 'per-step loss');
      ours.forEach((layer, l) => {
        expectClose(layer.weight, reference.params[l].weight, tol, `layer ${l} weight`);
        expectClose(layer.bias, reference.params[l].bias, tol, `layer ${l} bias`);
      });
      // The run must have moved the parameters, or the comparison proves nothing.
      expect(Math.abs(ours[0].weight[0] - initial[0].weight[0])).toBeGreaterThan(1e-4);
    });
  });
});

it('makeDataset rejects labels out of range and NaN features', () => {
  expect(() => makeDataset(new Float32Array([1, 2]), new Uint8Array([0, 3]), 1, 3)).toThrow(/label 3 of sample 1/);
  expect(() => makeDataset(new Float32Array([1, NaN]), new Uint8Array([0, 1]), 1, 3)).toThrow(/sample 1 is NaN/);
});
