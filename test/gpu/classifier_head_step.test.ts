// classifier_head_step (a classifier head's whole training step in one dispatch) against the float64 CPU twins:
// denseForward, softmaxCrossEntropy, denseBackwardInput with the ReLU mask, denseBackwardWeight, biasBackward, then
// sgdStep for w and b; one model and a batched sweep's stacked models (each its own decay); the batch read through the
// step's indices, the metrics in the step's slot, the cursor moved by one; nothing outside w, b and their momentum
// changes; and where kernel_variants.ts classifierHeadChunks takes it.
import { describe, expect, it } from 'vitest';
import { defaultOptimizer, type DecayConfig } from '../../src/core/optimizer';
import { Prng } from '../../src/core/prng';
import { biasBackward, denseBackwardInput, denseBackwardWeight, denseForward } from '../../src/cpu/dense';
import { softmaxCrossEntropy } from '../../src/cpu/softmax_cross_entropy';
import { classifierHeadChunks, HEAD_MAX_REGS, VARIANTS, type KernelVariant } from '../../src/gpu/kernel_variants';
import { packStepSlots } from '../../src/gpu/step_uniform';
import { expectClose, type Tolerance } from '../helpers/expect_close';
import { maxAbs, randomF32 } from './helpers/random';
import { runKernel } from './helpers/run_kernel';
import { expectRegions, MOMENTUM_SETTINGS, referenceSgdStep } from './helpers/sgd_reference';
import { subgroupSuite } from './helpers/subgroup_suite';

const U = 2 ** -24;
const LR = 0.05;
const DECAYS: DecayConfig[] = [
  { mode: 'coupled', coefficient: 0.1, decayBiases: true },
  { mode: 'decoupled', coefficient: 0.3, decayBiases: false },
  { mode: 'l2', coefficient: 0.05, decayBiases: true },
];
// (batch, inFeatures, classes, models): one row, one class; input vec4s not a multiple of the lanes; 16 classes; the
// paper's 64×128×10 head (on lavapipe's 8 lanes; SwiftShader's 4 need 8 vec4s per lane, past HEAD_MAX_REGS, see
// below); two and three stacked models.
const SHAPES: [number, number, number, number][] = [
  [1, 4, 1, 1], [7, 12, 3, 2], [33, 20, 16, 1], [17, 132, 5, 3], [64, 128, 10, 1], [64, 36, 10, 2],
];
/** Step slots 0 … 2; the kernel runs on slot 1, whose metrics entry is 2 and whose batch starts at INDEX_OFFSET. */
const INDEX_OFFSET = 5;
const CURSOR = 1;
const SLOT = 2;
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

const suite = subgroupSuite();

describe('classifier_head_step', () => {
  for (const [B, I, C, K] of SHAPES) for (const [j, s] of MOMENTUM_SETTINGS.entries()) {
    const t = j === 1 ? 1 : 3;
    it(`${B}×${I}×${C}, ${K} model(s), momentum ${s.momentum} nesterov ${s.nesterov}, t=${t}: forward, loss, metrics, dx, w and b after the step, cursor`, async () => {
      const chunks = classifierHeadChunks(I, C, [8, 0, 0], suite.variant, suite.gpu.device.limits.maxStorageBuffersPerShaderStage);
      if (chunks === undefined) {
        // Only a head past the kernel's registers on this driver's subgroup size is left to the separate kernels.
        expect(C * Math.ceil(I / 4 / suite.variant.subgroupSize!)).toBeGreaterThan(HEAD_MAX_REGS);
        return;
      }
      const seed = B * 1000 + I * 10 + C + j + 100 * K;
      const rng = new Prng(seed);
      // Per model: the input as the last hidden layer leaves it (ReLU output, about half zeros), at z·B·I.
      const x = randomF32(K * B * I, seed).map((v) => Math.max(0, v));
      // Per model at z·pStride: 8 leading values, w, b, its padding up to a vec4 (zero, as param_layout.ts leaves it),
      // 8 trailing.
      const wOffset = 8;
      const bOffset = wOffset + C * I;
      const pStride = align4(bOffset + C) + 8;
      const params = randomF32(K * pStride, seed + 1, -0.5, 0.5);
      const momentum = randomF32(K * pStride, seed + 2);
      for (let z = 0; z < K; z++) for (let i = bOffset + C; i < align4(bOffset + C); i++) params[z * pStride + i] = momentum[z * pStride + i] = 0;
      // A dataset of B + 4 labels, which all models share; the batch's samples (some repeated, the last among them)
      // at INDEX_OFFSET.
      const count = B + 4;
      const labels = Uint32Array.from({ length: count }, () => rng.nextInt(C));
      const indices = Uint32Array.from({ length: INDEX_OFFSET + B }, (_, i) => (i % 7 === 0 ? count - 1 : rng.nextInt(count)));
      const batchLabels = indices.subarray(INDEX_OFFSET).map((i) => labels[i]);
      const step = packStepSlots([[0, 0], [SLOT, INDEX_OFFSET], [1, 0]].map(([slot, indexOffset]) => ({ lr: LR, t, slot, indexOffset })),
        defaultOptimizer('sgd', { lr: LR, ...s }), DECAYS.slice(0, K));
      const dims = {
        batch: B, inFeatures: I, wOffset, bOffset, momentum: s.momentum, dampening: s.dampening, nesterov: s.nesterov ? 1 : 0,
        models: K, pStride, xStride: B * I, rowStride: B,
      };
      const [, p, , , dx, predictions, metrics, m, steps] = await runKernel(suite.cache, 'classifierHeadStep', dims,
        [x, params, labels, indices, K * B * I, K * B, 2 * 3 * K, momentum], () => [1, 1], step, CURSOR, 1, { OUT: C, CHUNKS: chunks });
      const gotDx = new Float32Array(dx);
      const gotMetrics = new Float32Array(metrics);
      const gotCorrect = new Uint32Array(metrics);
      const refP = Float64Array.from(params);
      const refM = Float64Array.from(momentum);
      let gradTol = 0;
      for (let z = 0; z < K; z++) {
        // The twins in float64 on the same f32 inputs.
        const xZ = x.subarray(z * B * I, (z + 1) * B * I);
        const x64 = Float64Array.from(xZ);
        const w = Float64Array.from(params.subarray(z * pStride + wOffset, z * pStride + bOffset));
        const b = Float64Array.from(params.subarray(z * pStride + bOffset, z * pStride + bOffset + C));
        const logits = new Float64Array(B * C);
        denseForward(x64, w, b, logits, B, I, C, false);
        const dLogits = new Float64Array(B * C);
        const loss = softmaxCrossEntropy(logits, batchLabels, dLogits, B, C);
        const refDx = new Float64Array(B * I);
        denseBackwardInput(dLogits, w, refDx, B, I, C);
        xZ.forEach((v, i) => { if (!(v > 0)) refDx[i] = 0; });
        const dw = new Float64Array(C * I);
        denseBackwardWeight(dLogits, x64, dw, B, I, C);
        const db = new Float64Array(C);
        biasBackward(dLogits, db, B, C);
        referenceSgdStep(refP, refM, z * pStride + wOffset, dw, DECAYS[z], false, LR, s, t);
        referenceSgdStep(refP, refM, z * pStride + bOffset, db, DECAYS[z], true, LR, s, t);

        // Logits: (I + 1)-term f32 sums, 4·(I + 1)·u·max|x|·max|w, b| (as blocked_gemm_kernels.test.ts). Each row's
        // loss moves by at most twice that plus the f32 exp/log of softmax_metrics.test.ts (32u·(1 + max|logit|)),
        // summed over B rows in f32 (B·u relative). dLogits (≤ 1/B) move by 2·logits + 32u, over B.
        const logitTol = 4 * (I + 1) * U * maxAbs(xZ) * Math.max(maxAbs(w), maxAbs(b));
        const e = SLOT * K + z;
        expectClose([gotMetrics[2 * e]], [loss.lossSum],
          { atol: B * (2 * logitTol + 32 * U * (1 + maxAbs(logits))), rtol: 4 * B * U }, `loss sum of model ${z}`);
        expect(gotCorrect[2 * e + 1], `correct count of model ${z}`).toBe(loss.correct);
        const refPredictions = Array.from({ length: B }, (_, r) => {
          let best = 0;
          for (let c = 1; c < C; c++) if (logits[r * C + c] > logits[r * C + best]) best = c;
          return best;
        });
        expect(Array.from(new Uint32Array(predictions).subarray(z * B, (z + 1) * B)), `predictions of model ${z}`).toEqual(refPredictions);
        const dTol = (2 * logitTol + 32 * U) / B;
        // dx: C-term sums of dLogits·w: the dLogits' error times C·max|w|, and the sums' own 4·C·u.
        const rx = expectClose(gotDx.subarray(z * B * I, (z + 1) * B * I), refDx,
          { atol: C * maxAbs(w) * dTol + 4 * C * U * maxAbs(dLogits) * maxAbs(w), rtol: 4 * U }, `dx of model ${z}`);
        suite.log.record('classifier_head_step dx', `${B}×${I}×${C}×${K}`, rx.maxAbsError);
        // dw and db: B-term sums with the dLogits' error times max|x| (or 1) each.
        gradTol = Math.max(gradTol, B * dTol * Math.max(1, maxAbs(xZ)) + 4 * B * U * maxAbs(dLogits) * Math.max(1, maxAbs(xZ)));
      }
      // Only the cursor's slot's entries are written.
      for (let e = 0; e < 3 * K; e++) if (Math.floor(e / K) !== SLOT) expect([gotMetrics[2 * e], gotCorrect[2 * e + 1]]).toEqual([0, 0]);
      // The step scales the gradient's error by the learning rate, momentum at most doubles it, and adds its own 32u
      // (as optimizer_kernels.test.ts).
      const inside = (i: number): boolean => i % pStride >= wOffset && i % pStride < bOffset + C;
      const tol: Tolerance = { atol: 2 * LR * gradTol + 32 * U, rtol: 8 * U };
      suite.log.record('classifier_head_step params', `${B}×${I}×${C}×${K}`, expectRegions(new Float32Array(p), refP, inside, tol, 'params'));
      expectRegions(new Float32Array(m), refM, inside, { ...tol, atol: 2 * gradTol + 32 * U }, 'momentum');
      expect(new Uint32Array(steps)[0], 'cursor moved by one').toBe(CURSOR + 1);
    });
  }

  it('is taken for a narrow head within the registers, on a device with 9 storage bindings', () => {
    const lanes = suite.variant.subgroupSize!;
    expect(classifierHeadChunks(128, 10, [100_480, 100_608, 0], withLanes(8), 16)).toBe(4);
    expect(classifierHeadChunks(128, 10, [0, 0, 0], withLanes(4), 16)).toBeUndefined(); // 10 × 8 vec4s per lane
    expect(classifierHeadChunks(128, 10, [0, 0, 0], withLanes(lanes), 8)).toBeUndefined(); // WebGPU's default 8 storage bindings
    expect(classifierHeadChunks(128, 17, [0, 0, 0], withLanes(lanes), 16)).toBeUndefined(); // not narrow
    expect(classifierHeadChunks(130, 10, [0, 0, 0], withLanes(lanes), 16)).toBeUndefined(); // rows not whole vec4s
    expect(classifierHeadChunks(128, 10, [0, 0, 6], withLanes(lanes), 16)).toBeUndefined(); // model stride not 4-aligned
    expect(classifierHeadChunks(128, 10, [0, 0, 0], VARIANTS.hardware, 16)).toBeUndefined(); // no fixed subgroup size
  });
});

const withLanes = (size: number): KernelVariant => ({ ...VARIANTS.software, subgroupSize: size });
