// dense_backward_narrow (a narrow layer's input, weight and bias gradients in one subgroup dispatch) against the
// float64 CPU twins denseBackwardInput (with the ReLU mask), denseBackwardWeight and biasBackward; stacked models of a
// batched sweep; nothing written outside the three tensors; and where the batch plan takes it.
import { describe, expect, it } from 'vitest';
import { defaultOptimizer } from '../../src/core/optimizer';
import { biasBackward, denseBackwardInput, denseBackwardWeight } from '../../src/cpu/dense';
import { NARROW_MAX_OUT, narrowBackward, VARIANTS } from '../../src/gpu/kernel_variants';
import { packStepSlots } from '../../src/gpu/step_uniform';
import { expectClose } from '../helpers/expect_close';
import { maxAbs, randomF32 } from './helpers/random';
import { runKernel } from './helpers/run_kernel';
import { subgroupSuite } from './helpers/subgroup_suite';

const U = 2 ** -24;

/** K-term f32 sums of products against float64: ≈ K·u·max|a|·max|b|; 4× that (as in blocked_gemm_kernels.test.ts). */
const dotTolerance = (k: number, a: ArrayLike<number>, b: ArrayLike<number>) => ({ atol: 4 * Math.max(k, 1) * U * maxAbs(a) * maxAbs(b), rtol: 4 * U });

// (batch, inFeatures, outFeatures, models): one row and output; batches below, at and past multiples of the subgroup
// size (the shuffled rows and the partial last group); input vec4s past one workgroup and not a multiple of its lanes;
// the paper's 128 → 10 head; the widest layer taken; two and three stacked models.
const SHAPES: [number, number, number, number][] = [
  [1, 4, 1, 1], [7, 12, 3, 1], [8, 36, 12, 1], [33, 132, 10, 2], [64, 128, 10, 1], [17, 40, NARROW_MAX_OUT, 3],
];
const SENTINEL = 9;
const DECAY = { mode: 'coupled', coefficient: 0.1, decayBiases: true } as const;

const suite = subgroupSuite();

describe('dense_backward_narrow', () => {
  // With the bias gradient and the ReLU mask (a hidden layer), and without either (the kernel leaves them to others).
  for (const [B, I, O, K] of SHAPES) for (const hidden of [true, false]) {
    it(`${B}×${I}×${O}, ${K} model(s), ${hidden ? 'with' : 'without'} the bias gradient and the ReLU mask: dx, dw, db`, async () => {
      const bias = hidden;
      const seed = B * 10_000 + I * 100 + O + K;
      // Per model: dy (B, O); params with w at a 4-aligned offset and the bias right after it; x (B, I) half zeros
      // (the ReLU mask) and half positive.
      const wOffset = 8;
      const dbOffset = wOffset + O * I;
      const pStride = dbOffset + O + (4 - ((dbOffset + O) % 4)) + 4;
      const dy = randomF32(K * B * O, seed);
      const params = randomF32(K * pStride, seed + 1);
      const x = randomF32(K * B * I, seed + 2).map((v) => Math.max(0, v));
      const grads = new Float32Array(K * pStride).fill(SENTINEL);
      const dims = {
        batch: B, inFeatures: I, maskRelu: hidden ? 1 : 0, biasGradient: bias ? 1 : 0, wOffset, dwOffset: wOffset, dbOffset,
        dyStride: B * O, xStride: B * I, pStride,
      };
      // SGD_UPDATE off: the params and the momentum (binding 7, read only with SGD_UPDATE) must come back as they were.
      const momentum = new Float32Array(K * pStride).fill(SENTINEL);
      const step = packStepSlots([{ lr: 0.5, t: 2, slot: 0, indexOffset: 0 }], defaultOptimizer('sgd'), DECAY);
      const [, p, , g, dx, m] = await runKernel(suite.cache, 'denseBackwardNarrow', dims,
        [dy, params, x, grads, new Float32Array(K * B * I).fill(SENTINEL), momentum],
        () => [Math.ceil(I / 4 / suite.variant.subgroupSize!), 1], step, 0, K, { OUT: O });
      expect(new Float32Array(p)).toEqual(params);
      expect(new Float32Array(m)).toEqual(momentum);
      const gotG = new Float32Array(g);
      const gotDx = new Float32Array(dx);
      for (let z = 0; z < K; z++) {
        const dyZ = Float64Array.from(dy.subarray(z * B * O, (z + 1) * B * O));
        const xZ = Float64Array.from(x.subarray(z * B * I, (z + 1) * B * I));
        const w = Float64Array.from(params.subarray(z * pStride + wOffset, z * pStride + wOffset + O * I));
        const refDx = new Float64Array(B * I);
        denseBackwardInput(dyZ, w, refDx, B, I, O);
        if (hidden) xZ.forEach((v, i) => { if (!(v > 0)) refDx[i] = 0; });
        const rx = expectClose(gotDx.subarray(z * B * I, (z + 1) * B * I), refDx, dotTolerance(O, dyZ, w), `dx of model ${z}`);
        suite.log.record('dense_backward_narrow dx', `${B}×${I}×${O}×${K}`, rx.maxAbsError);
        const refDw = new Float64Array(O * I);
        denseBackwardWeight(dyZ, xZ, refDw, B, I, O);
        const base = z * pStride;
        const rw = expectClose(gotG.subarray(base + wOffset, base + dbOffset), refDw, dotTolerance(B, dyZ, xZ), `dw of model ${z}`);
        suite.log.record('dense_backward_narrow dw', `${B}×${I}×${O}×${K}`, rw.maxAbsError);
        if (bias) {
          const refDb = new Float64Array(O);
          biasBackward(dyZ, refDb, B, O);
          const rb = expectClose(gotG.subarray(base + dbOffset, base + dbOffset + O), refDb, dotTolerance(B, dyZ, [1]), `db of model ${z}`);
          suite.log.record('dense_backward_narrow db', `${B}×${I}×${O}×${K}`, rb.maxAbsError);
        }
        // Nothing else of the model's parameters written.
        const end = bias ? dbOffset + O : dbOffset;
        expect(Array.from(gotG.subarray(base, base + wOffset)).every((v) => v === SENTINEL), 'before w').toBe(true);
        expect(Array.from(gotG.subarray(base + end, base + pStride)).every((v) => v === SENTINEL), 'after the tensors').toBe(true);
      }
    });
  }

  it('is what the batch plan takes only for a narrow layer on a variant with a fixed subgroup size', () => {
    expect(narrowBackward(128, 10, [100_480, 0], suite.variant)).toBe(true);
    expect(narrowBackward(128, NARROW_MAX_OUT + 1, [0, 0], suite.variant)).toBe(false);
    expect(narrowBackward(130, 10, [0, 0], suite.variant)).toBe(false); // rows not whole vec4s
    expect(narrowBackward(128, 10, [2, 0], suite.variant)).toBe(false); // weights not 4-aligned
    expect(narrowBackward(128, 10, [0, 6], suite.variant)).toBe(false); // model stride not 4-aligned
    expect(narrowBackward(128, 10, [0, 0], VARIANTS.hardware)).toBe(false);
  });
});
