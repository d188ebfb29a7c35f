// The kernels that apply the SGD step to the gradients they compute instead of storing them (kernels.ts SGD_DIMS): the
// shuffle weight-gradient kernels' …Sgd twins (f32 and u8 input) and dense_backward_narrow with SGD_UPDATE, against the
// float64 CPU twins (denseBackwardWeight, biasBackward, denseBackwardInput, then sgdStep); one and two stacked models,
// each with its own decay; without momentum, with momentum and dampening, with Nesterov; the first step and a later one.
// Nothing outside the layer's weights and bias changes, no gradient is stored, and the batch plan takes them only where
// every layer can apply the step.
import { describe, expect, it } from 'vitest';
import { defaultOptimizer, type DecayConfig, type OptimizerConfig } from '../../src/core/optimizer';
import type { ModelSpec } from '../../src/core/spec';
import { biasBackward, denseBackwardInput, denseBackwardWeight } from '../../src/cpu/dense';
import { BatchPlan } from '../../src/gpu/batch_plan';
import { createStorageBuffer } from '../../src/gpu/buffers';
import { gemmGroups } from '../../src/gpu/dispatch';
import { sgdUpdateKernel, u8InputKernel, WEIGHT_SHUFFLES } from '../../src/gpu/kernel_variants';
import type { KernelName } from '../../src/gpu/kernels';
import { paramLayout } from '../../src/gpu/param_layout';
import { packStepSlots } from '../../src/gpu/step_uniform';
import { expectClose, type Tolerance } from '../helpers/expect_close';
import { layerInput, U8_INDEX_OFFSET } from './helpers/layer_input';
import { maxAbs, randomF32 } from './helpers/random';
import { runKernel } from './helpers/run_kernel';
import { expectRegions, MOMENTUM_SETTINGS, referenceSgdStep, type Momentum } from './helpers/sgd_reference';
import { subgroupSuite } from './helpers/subgroup_suite';

const U = 2 ** -24;
const LR = 0.05;
const DECAYS: DecayConfig[] = [
  { mode: 'coupled', coefficient: 0.1, decayBiases: false },
  { mode: 'decoupled', coefficient: 0.3, decayBiases: true },
];
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

const suite = subgroupSuite();

/**
 * The step slot the kernels read (slot 0, the one before the cursor), with model z's decay terms from DECAYS[z], and
 * the u8 input's active-word list at activeOffset (layerInput).
 */
const stepOf = (s: Momentum, t: number, models: number, activeOffset = 0): Uint8Array<ArrayBuffer> =>
  packStepSlots([{ lr: LR, t, slot: 0, indexOffset: U8_INDEX_OFFSET, activeOffset }], defaultOptimizer('sgd', { lr: LR, ...s }), DECAYS.slice(0, models));

const sgdDims = (s: Momentum) => ({ momentum: s.momentum, dampening: s.dampening, nesterov: s.nesterov ? 1 : 0 });

/**
 * The gradient's own error (a K-term f32 sum of products: 4·K·u·max|a|·max|b|, as in blocked_gemm_kernels.test.ts,
 * plus 4u of its largest value) carried through the step: momentum and Nesterov at most double it, the learning rate
 * scales it for the params; then the step's own few f32 roundings of O(1) values (as optimizer_kernels.test.ts: 32u).
 */
function stepTolerance(k: number, a: ArrayLike<number>, b: ArrayLike<number>, grads: ArrayLike<number>, scale: number): Tolerance {
  const gradient = 4 * Math.max(k, 1) * U * maxAbs(a) * maxAbs(b) + 4 * U * maxAbs(grads);
  return { atol: 2 * scale * gradient + 32 * U, rtol: 8 * U };
}

describe('shuffle weight-gradient kernels applying the SGD step', () => {
  // (batch, inFeatures, outFeatures, models): one row; partial subgroups of rows and lanes; two models; the paper's layer 0.
  const SHAPES: [number, number, number, number][] = [[1, 4, 4, 1], [9, 132, 36, 2], [33, 68, 20, 1], [64, 784, 128, 1]];
  for (const input of ['f32', 'u8'] as const) for (const gradientKernel of WEIGHT_SHUFFLES) {
    const name = sgdUpdateKernel(input === 'u8' ? u8InputKernel(gradientKernel)! : gradientKernel)!;
    it(`${name}: ${SHAPES.length} shapes, each momentum setting, steps 1 and 3`, async () => {
      if (!name) throw new Error(`${gradientKernel} (${input}) has no SGD-update twin`);
      for (const [c, [B, I, O, K]] of SHAPES.entries()) for (const [j, s] of MOMENTUM_SETTINGS.entries()) {
        const t = (c + j) % 2 === 0 ? 1 : 3;
        const seed = B * 1000 + I + O + 17 * j;
        const { stored, extra, x, activeOffset } = layerInput(B, I, seed, input);
        const dy = randomF32(K * B * O, seed + 1);
        // Per model: 12 leading values, w, a gap of 4, b, 8 trailing; params and momentum in that layout.
        const dwOffset = 12;
        const dbOffset = dwOffset + O * I + 4;
        const pStride = align4(dbOffset + O) + 8;
        const params = randomF32(K * pStride, seed + 2);
        const momentum = randomF32(K * pStride, seed + 3);
        const dims = {
          batch: B, inFeatures: I, outFeatures: O, dwOffset, dbOffset, biasGradient: 1, dyStride: B * O, xStride: 0, pStride, ...sgdDims(s),
        };
        const out = await runKernel(suite.cache, name as KernelName, dims, [dy, stored, params, ...extra, momentum],
          (k) => gemmGroups(k, O, I), stepOf(s, t, K, activeOffset), 0, K);
        const refP = Float64Array.from(params);
        const refM = Float64Array.from(momentum);
        let largest = 0;
        for (let z = 0; z < K; z++) {
          const dyZ = Float64Array.from(dy.subarray(z * B * O, (z + 1) * B * O));
          const dw = new Float64Array(O * I);
          denseBackwardWeight(dyZ, x, dw, B, I, O);
          const db = new Float64Array(O);
          biasBackward(dyZ, db, B, O);
          largest = Math.max(largest, maxAbs(dw), maxAbs(db));
          referenceSgdStep(refP, refM, z * pStride + dwOffset, dw, DECAYS[z], false, LR, s, t);
          referenceSgdStep(refP, refM, z * pStride + dbOffset, db, DECAYS[z], true, LR, s, t);
        }
        const inside = (i: number): boolean => {
          const j = i % pStride;
          return (j >= dwOffset && j < dwOffset + O * I) || (j >= dbOffset && j < dbOffset + O);
        };
        const what = `${name} ${B}×${I}×${O}×${K} momentum ${s.momentum} nesterov ${s.nesterov} t=${t}`;
        suite.log.record(`${name} params`, `${B}×${I}×${O}×${K}`,
          expectRegions(new Float32Array(out[2]), refP, inside, stepTolerance(B, dy, x, [largest], LR), `${what}: params`));
        expectRegions(new Float32Array(out[out.length - 1]), refM, inside, stepTolerance(B, dy, x, [largest], 1), `${what}: momentum`);
      }
    });
  }
});

describe('dense_backward_narrow applying the SGD step (SGD_UPDATE)', () => {
  // (batch, inFeatures, outFeatures, models): the paper's 128 → 10 head; widths not multiples of 4 outputs (bias padding);
  // two stacked models.
  const SHAPES: [number, number, number, number][] = [[64, 128, 10, 1], [7, 12, 3, 2], [17, 40, 16, 1], [33, 132, 5, 2]];
  // A hidden layer (bias gradient in the kernel, ReLU mask) and the last layer (bias gradient from the loss, in grads).
  for (const [B, I, O, K] of SHAPES) for (const hidden of [true, false]) {
    it(`${B}×${I}×${O}, ${K} model(s), ${hidden ? 'hidden layer' : 'last layer'}: dx, and w and b after the step`, async () => {
      for (const [j, s] of MOMENTUM_SETTINGS.entries()) {
        const t = j === 1 ? 1 : 4;
        const seed = B * 1000 + I * 10 + O + K + j + (hidden ? 500 : 0);
        const wOffset = 8;
        const dbOffset = wOffset + O * I;
        const pStride = align4(dbOffset + O) + 8;
        const dy = randomF32(K * B * O, seed);
        const x = randomF32(K * B * I, seed + 2).map((v) => Math.max(0, v));
        // The bias's padding up to a whole vec4 is zero, as param_layout.ts leaves it (the kernel updates whole vec4s).
        const params = randomF32(K * pStride, seed + 1);
        const momentum = randomF32(K * pStride, seed + 3);
        const grads = randomF32(K * pStride, seed + 4);
        for (let z = 0; z < K; z++) for (let i = dbOffset + O; i < align4(dbOffset + O); i++) {
          params[z * pStride + i] = 0;
          momentum[z * pStride + i] = 0;
          grads[z * pStride + i] = 0;
        }
        const dims = {
          batch: B, inFeatures: I, maskRelu: hidden ? 1 : 0, biasGradient: hidden ? 1 : 0, wOffset, dwOffset: wOffset, dbOffset,
          dyStride: B * O, xStride: B * I, pStride, ...sgdDims(s),
        };
        const [, p, , g, dx, m] = await runKernel(suite.cache, 'denseBackwardNarrow', dims, [dy, params, x, grads, K * B * I, momentum],
          () => [Math.ceil(I / 4 / suite.variant.subgroupSize!), 1], stepOf(s, t, K), 0, K, { OUT: O, SGD_UPDATE: 1 });
        const refP = Float64Array.from(params);
        const refM = Float64Array.from(momentum);
        const gotDx = new Float32Array(dx);
        let largest = 0;
        for (let z = 0; z < K; z++) {
          const base = z * pStride;
          const dyZ = Float64Array.from(dy.subarray(z * B * O, (z + 1) * B * O));
          const xZ = Float64Array.from(x.subarray(z * B * I, (z + 1) * B * I));
          const w = Float64Array.from(params.subarray(base + wOffset, base + dbOffset));
          // dx from the weights before the step.
          const refDx = new Float64Array(B * I);
          denseBackwardInput(dyZ, w, refDx, B, I, O);
          if (hidden) xZ.forEach((v, i) => { if (!(v > 0)) refDx[i] = 0; });
          const rx = expectClose(gotDx.subarray(z * B * I, (z + 1) * B * I), refDx,
            { atol: 4 * O * U * maxAbs(dyZ) * maxAbs(w), rtol: 4 * U }, `dx of model ${z}`);
          suite.log.record('dense_backward_narrow+sgd dx', `${B}×${I}×${O}×${K}`, rx.maxAbsError);
          const dw = new Float64Array(O * I);
          denseBackwardWeight(dyZ, xZ, dw, B, I, O);
          const db = new Float64Array(O);
          if (hidden) biasBackward(dyZ, db, B, O);
          else db.set(grads.subarray(base + dbOffset, base + dbOffset + O));
          largest = Math.max(largest, maxAbs(dw), maxAbs(db));
          referenceSgdStep(refP, refM, base + wOffset, dw, DECAYS[z], false, LR, s, t);
          referenceSgdStep(refP, refM, base + dbOffset, db, DECAYS[z], true, LR, s, t);
        }
        const inside = (i: number): boolean => {
          const j = i % pStride;
          return j >= wOffset && j < dbOffset + O;
        };
        const what = `${B}×${I}×${O}×${K} momentum ${s.momentum} nesterov ${s.nesterov} t=${t}`;
        suite.log.record('dense_backward_narrow+sgd params', `${B}×${I}×${O}×${K}`,
          expectRegions(new Float32Array(p), refP, inside, stepTolerance(B, dy, x, [largest], LR), `${what}: params`));
        expectRegions(new Float32Array(m), refM, inside, stepTolerance(B, dy, x, [largest], 1), `${what}: momentum`);
        // No gradient is stored: the last layer's bias gradient, which the loss left there, is only read.
        expect(new Float32Array(g)).toEqual(grads);
      }
    });
  }
});

describe('where the batch plan applies the SGD step in the backward pass', () => {
  const planFor = (spec: ModelSpec, optimizer: OptimizerConfig): BatchPlan => {
    const layout = paramLayout(spec);
    const buf = (n: number, label: string) => createStorageBuffer(suite.gpu.device, 4 * n, label);
    const model = {
      layout, params: buf(layout.total, 'params'), grads: buf(layout.total, 'grads'), momentum: buf(layout.total, 'momentum'),
      m: buf(layout.total, 'm'), v: buf(layout.total, 'v'),
    };
    const plan = new BatchPlan(suite.cache, spec, model, optimizer, 8, 2);
    plan.destroy();
    for (const b of [model.params, model.grads, model.momentum, model.m, model.v]) b.destroy();
    return plan;
  };
  const sgd = defaultOptimizer('sgd', { momentum: 0.9 });
  it('for SGD on one hidden layer and a narrow head (the paper\'s network), with or without momentum', () => {
    expect(planFor({ inputSize: 784, hidden: [128], classes: 10 }, sgd).sgdUpdate).toBe(true);
    expect(planFor({ inputSize: 784, hidden: [128], classes: 10 }, defaultOptimizer('sgd')).sgdUpdate).toBe(true);
    // Every layer past the first narrow: 16 → 8 → 3.
    expect(planFor({ inputSize: 20, hidden: [16, 8], classes: 3 }, sgd).sgdUpdate).toBe(true);
  });
  it('not for Adam, a wide hidden layer past the first, more than 16 classes, or widths without vec4 rows', () => {
    expect(planFor({ inputSize: 784, hidden: [128], classes: 10 }, defaultOptimizer('adamw')).sgdUpdate).toBe(false);
    expect(planFor({ inputSize: 784, hidden: [128, 64], classes: 10 }, sgd).sgdUpdate).toBe(false);
    expect(planFor({ inputSize: 784, hidden: [128], classes: 20 }, sgd).sgdUpdate).toBe(false);
    expect(planFor({ inputSize: 13, hidden: [7, 5], classes: 3 }, sgd).sgdUpdate).toBe(false);
  });
});
