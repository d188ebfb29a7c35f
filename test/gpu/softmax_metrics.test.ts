// softmax_cross_entropy and batch_metrics against the float64 CPU twin, including rows of one class and batches
// larger than one workgroup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOptimizer } from '../../src/core/optimizer';
import { Prng } from '../../src/core/prng';
import { softmaxCrossEntropy } from '../../src/cpu/softmax_cross_entropy';
import { linearGroups } from '../../src/gpu/dispatch';
import { SOFTMAX_MODE } from '../../src/gpu/kernels';
import { VARIANTS } from '../../src/gpu/kernel_variants';
import { PipelineCache } from '../../src/gpu/pipeline_cache';
import { packStepSlots } from '../../src/gpu/step_uniform';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose } from '../helpers/expect_close';
import { driverName, testGpu } from './helpers/gpu_device';
import { ErrorLog, maxAbs, randomF32 } from './helpers/random';
import { runKernel } from './helpers/run_kernel';

const U = 2 ** -24;
// (batch, classes): one sample, one class, odd sizes, a batch over one workgroup, MNIST's 10 classes.
const SHAPES: [number, number][] = [[1, 2], [7, 13], [33, 17], [300, 10], [1000, 3]];

let gpu: NodeGpu;
let cache: PipelineCache;
const log = new ErrorLog();
beforeAll(async () => {
  gpu = await testGpu();
  cache = new PipelineCache(gpu.device, VARIANTS.software);
});
afterAll(() => {
  log.print(driverName(gpu.info));
  gpu.destroy();
});

function labelsFor(batch: number, classes: number, seed: number): Uint32Array {
  const rng = new Prng(seed);
  return Uint32Array.from({ length: batch }, () => rng.nextInt(classes));
}

describe('softmax_cross_entropy', () => {
  for (const [B, C] of SHAPES) {
    it(`${B}×${C}: losses, predictions, correct flags, dLogits and probabilities`, async () => {
      // Logits up to ±8 so that the max subtraction matters and some probabilities are tiny.
      const logits = randomF32(B * C, B * 100 + C, -8, 8);
      const labels = labelsFor(B, C, B + C);
      const refGrad = new Float64Array(B * C);
      const refLosses = new Float64Array(B);
      const ref = softmaxCrossEntropy(Float64Array.from(logits), labels, refGrad, B, C, refLosses);
      const run = (mode: number) => runKernel(cache, 'softmaxCrossEntropy', { batch: B, classes: C, mode },
        [logits, labels, new Float32Array(B * C).fill(7), B, B, B], (k) => linearGroups(k, B));
      const [, , grad, losses, correct, predictions] = await run(SOFTMAX_MODE.gradient);
      // The loss is log(Σ exp) + max − logit: f32 exp/log are accurate to a few ulp of values ≤ |max| + log C ≈ 10,
      // so 32u·(1 + max|logit|) bounds it; dLogits are probabilities/B with a few ulp each: 32u/B absolute.
      const rl = expectClose(new Float32Array(losses), refLosses, { atol: 32 * U * (1 + maxAbs(logits)), rtol: 0 }, 'losses');
      log.record('softmax_cross_entropy loss', `${B}×${C}`, rl.maxAbsError);
      const rg = expectClose(new Float32Array(grad), refGrad, { atol: (32 * U) / B, rtol: 0 }, 'dLogits');
      log.record('softmax_cross_entropy dLogits', `${B}×${C}`, rg.maxAbsError);
      const refPred = Array.from({ length: B }, (_, r) => {
        let best = 0;
        for (let c = 1; c < C; c++) if (logits[r * C + c] > logits[r * C + best]) best = c;
        return best;
      });
      expect(Array.from(new Uint32Array(predictions))).toEqual(refPred);
      const flags = new Uint32Array(correct);
      expect(flags.reduce((a, b) => a + b, 0)).toBe(ref.correct);
      refPred.forEach((p, r) => expect(flags[r]).toBe(p === labels[r] ? 1 : 0));

      const [, , probs] = await run(SOFTMAX_MODE.probabilities);
      const refProbs = refGrad.map((g, i) => g * B + (i % C === labels[Math.floor(i / C)] ? 1 : 0));
      expectClose(new Float32Array(probs), refProbs, { atol: 32 * U, rtol: 0 }, 'probabilities');
      const [, , untouched] = await run(SOFTMAX_MODE.none);
      expect(new Float32Array(untouched).every((v) => v === 7)).toBe(true);
    });
  }
});

describe('batch_metrics', () => {
  for (const B of [1, 7, 256, 300, 1000]) {
    it(`sums ${B} losses and correct flags into the step's slot`, async () => {
      const losses = randomF32(B, B, 0, 5);
      const rng = new Prng(B + 1);
      const correct = Uint32Array.from({ length: B }, () => (rng.nextFloat() < 0.5 ? 1 : 0));
      const slot = 3;
      const step = packStepSlots([{ lr: 0, t: 0, slot, indexOffset: 0 }], defaultOptimizer('sgd'), { mode: 'l2', coefficient: 0, decayBiases: false });
      const [, , metrics] = await runKernel(cache, 'batchMetrics', { batch: B }, [losses, correct, 2 * (slot + 2)], () => [1, 1], step);
      const f = new Float32Array(metrics);
      const u = new Uint32Array(metrics);
      const refLoss = losses.reduce((a, b) => a + b, 0);
      // A tree of B f32 additions of positive terms: relative error ≤ (log2 B + B/256 + 1)·u; 4× that.
      const rl = expectClose([f[2 * slot]], [refLoss], { atol: 0, rtol: 4 * (Math.log2(B) + B / 256 + 1) * U }, 'loss sum');
      log.record('batch_metrics loss sum', `${B}`, rl.maxAbsError);
      expect(u[2 * slot + 1]).toBe(correct.reduce((a, b) => a + b, 0));
      // Other slots untouched.
      expect(f[0]).toBe(0);
      expect(f[2 * (slot + 1)]).toBe(0);
    });
  }
});
