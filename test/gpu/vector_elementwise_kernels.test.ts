// The vector element-wise kernels (gather_batch_vec4/vec16, sgd_step_vec4, adam_step_vec4) against their CPU twins and
// against the scalar kernels (same arithmetic per component: bit for bit on CPU drivers, helpers/same_arithmetic.ts); the regions around an optimizer dispatch
// stay untouched; and the selection (elementwise_variants.ts) takes the vector kernels only where shapes allow them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decayTerms, defaultOptimizer, type DecayConfig } from '../../src/core/optimizer';
import { Prng } from '../../src/core/prng';
import { adamStep, sgdStep } from '../../src/cpu/optimizer_steps';
import { gatherBatch } from '../../src/cpu/reductions';
import { linearGroups, stridedGroups } from '../../src/gpu/dispatch';
import { gatherKernel, optimizerDispatches } from '../../src/gpu/elementwise_variants';
import { VARIANTS, type KernelVariant } from '../../src/gpu/kernel_variants';
import { paramLayout } from '../../src/gpu/param_layout';
import { PipelineCache } from '../../src/gpu/pipeline_cache';
import { packStepSlots } from '../../src/gpu/step_uniform';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose } from '../helpers/expect_close';
import { driverName, testGpu } from './helpers/gpu_device';
import { ErrorLog, maxAbs, randomF32 } from './helpers/random';
import { runDispatches, type KernelRun } from './helpers/run_dispatches';
import { runKernel } from './helpers/run_kernel';
import { expectSameArithmetic } from './helpers/same_arithmetic';

const U = 2 ** -24;
const f32 = Math.fround;
const NO_DECAY = { mode: 'l2', coefficient: 0, decayBiases: false } as const;
// As in optimizer_kernels.test.ts: O(1) values, a handful of f32 operations each: ~8 roundings of magnitude ≤ 4.
const STEP_TOL = { atol: 32 * U, rtol: 8 * U };
const bits = (b: ArrayBuffer): number[] => Array.from(new Uint32Array(b));

let gpu: NodeGpu;
const caches = new Map<string, PipelineCache>();
const cacheOf = (v: KernelVariant): PipelineCache => {
  let c = caches.get(v.name);
  if (!c) caches.set(v.name, c = new PipelineCache(gpu.device, v));
  return c;
};
const log = new ErrorLog();
beforeAll(async () => {
  gpu = await testGpu();
});
afterAll(() => {
  log.print(driverName(gpu.info));
  gpu.destroy();
});

describe('gather_batch_vec4 and gather_batch_vec16', () => {
  // (count, dim, batch): dims of one quad, quads that no 16 divides, and MNIST's 784 = 49 × 16.
  const SHAPES: [number, number, number][] = [[1, 4, 1], [20, 12, 7], [5, 16, 3], [100, 48, 33], [300, 784, 64]];
  const KERNELS = [['gatherBatchVec4', 4], ['gatherBatchVec16', 16]] as const;
  for (const [count, dim, B] of SHAPES) for (const [name, per] of KERNELS) for (const kind of ['u8', 'f32'] as const) {
    if (dim % per !== 0) continue;
    // The hardware variant's 256-lane workgroups on one shape: a dispatch with most lanes idle.
    const variant = dim === 48 ? VARIANTS.hardware : VARIANTS.software;
    it(`${name} ${kind} features ${count}×${dim}, batch ${B} (${variant.name}): twin, and the scalar kernel bit for bit`, async () => {
      const rng = new Prng(count + dim + per);
      const features = kind === 'u8'
        ? Uint8Array.from({ length: count * dim }, () => rng.nextInt(256))
        : randomF32(count * dim, count, -3, 3);
      const labels = Uint8Array.from({ length: count }, () => rng.nextInt(10));
      const scale = randomF32(dim, dim, 0.001, 0.02);
      const shift = randomF32(dim, dim + 1, -1, 1);
      const steps = 3;
      // Indices repeat samples and include the last one; the step reads slot 2's batch.
      const indices = Uint32Array.from({ length: steps * B }, (_, i) => (i % 5 === 0 ? count - 1 : rng.nextInt(count)));
      const s = 2;
      const step = packStepSlots([{ lr: 0, t: 0, slot: s, indexOffset: s * B }], defaultOptimizer('sgd'), NO_DECAY);
      const norm = new Float32Array(2 * dim);
      norm.set(scale);
      norm.set(shift, dim);
      const dims = { batch: B, dim, packedU8: kind === 'u8' ? 1 : 0 };
      const inputs = [features, norm, indices, B * dim];
      const cache = cacheOf(variant);
      const [, , , x] = await runKernel(cache, name, dims, inputs, (k) => linearGroups(k, B * dim / per), step);
      const [, , , xScalar] = await runKernel(cache, 'gatherBatch', dims, inputs, (k) => [Math.ceil(dim / k.workgroup[0]), B], step);
      const refX = new Float64Array(B * dim);
      const refLabels = new Uint32Array(B);
      gatherBatch(features, labels, scale, shift, indices, s * B, B, dim, refX, refLabels);
      // raw·scale + shift: two roundings (or one, fused) of values ≤ max|raw·scale| + max|shift|.
      const atol = 2 * U * (maxAbs(features) * maxAbs(scale) + maxAbs(shift));
      const r = expectClose(new Float32Array(x), refX, { atol, rtol: 0 }, 'x');
      log.record(`${name} ${kind}`, `${count}×${dim}`, r.maxAbsError);
      // The same product and sum per component as the scalar kernel: the same bits.
      expect(bits(x)).toEqual(bits(xScalar));
    });
  }

  it('folds past 65 535 workgroups (one-invocation workgroups, 70 000 rows)', async () => {
    const tiny: KernelVariant = { ...VARIANTS.software, name: 'one-invocation', linear: 1 };
    const B = 70_000;
    const dim = 4;
    const rng = new Prng(9);
    const features = Uint8Array.from({ length: 8 * dim }, () => rng.nextInt(256));
    const indices = Uint32Array.from({ length: B }, () => rng.nextInt(8));
    const norm = Float32Array.of(1, 0.5, 0.25, 2, 0, 1, -1, 3);
    const step = packStepSlots([{ lr: 0, t: 0, slot: 0, indexOffset: 0 }], defaultOptimizer('sgd'), NO_DECAY);
    const labels = Uint32Array.from({ length: 8 }, (_, i) => i);
    const [, , , x] = await runKernel(cacheOf(tiny), 'gatherBatchVec4', { batch: B, dim, packedU8: 1 },
      [features, norm, indices, B * dim], (k) => linearGroups(k, B), step);
    expect(linearGroups(cacheOf(tiny).get('gatherBatchVec4'), B)).toEqual([65535, 2]);
    const refX = new Float64Array(B * dim);
    const refLabels = new Uint32Array(B);
    gatherBatch(features, Uint8Array.from(labels), norm.subarray(0, dim), norm.subarray(dim), indices, 0, B, dim, refX, refLabels);
    // raw ≤ 255 times a power of two plus a small integer: exact in f32.
    expect(Array.from(new Float32Array(x))).toEqual(Array.from(refX));
  });
});

describe('gather kernel selection', () => {
  it('16 features per invocation where 16 divides dim, 4 where 4 does, else the scalar kernel', () => {
    expect(gatherKernel(784, VARIANTS.software)).toEqual({ name: 'gatherBatchVec16', perInvocation: 16 });
    expect(gatherKernel(20, VARIANTS.hardware)).toEqual({ name: 'gatherBatchVec4', perInvocation: 4 });
    expect(gatherKernel(13, VARIANTS.software)).toEqual({ name: 'gatherBatch', perInvocation: 1 });
    expect(gatherKernel(784, { ...VARIANTS.software, vectorElementwise: false }).name).toBe('gatherBatch');
    expect(gatherKernel(784, undefined).name).toBe('gatherBatch');
  });
  it('names a bad dim', () => {
    expect(() => gatherKernel(0, VARIANTS.software)).toThrow(/gather: dim must be a positive integer, got 0/);
    expect(() => gatherKernel(4.5, VARIANTS.software)).toThrow(/got 4.5/);
  });
});

// A packed region as the trainer lays it out, with neighbours that must stay untouched: per model (pStride 120), 8
// leading elements, weights [8, 100), biases [100, 112), 8 trailing; two models stacked; 4 more after the last.
const REGION = { offset: 8, weights: 92, biases: 12, pStride: 120, models: 2 };
const LENGTH = REGION.models * REGION.pStride + 4;
const DECAYS: DecayConfig[] = [
  { mode: 'coupled', coefficient: 0.1, decayBiases: false },
  { mode: 'decoupled', coefficient: 0.3, decayBiases: true },
];

/** The terms model z's slot carries, rounded to f32 as they travel. */
function terms(z: number, lr: number, isBias: boolean): { gradCoefficient: number; paramScale: number } {
  const t = decayTerms(DECAYS[z], lr, isBias);
  return { gradCoefficient: f32(t.gradCoefficient), paramScale: f32(t.paramScale) };
}

/** The vec4 dispatch over weights and biases together, and the scalar pair it replaces. */
function runs(kind: 'sgd' | 'adam', extra: Record<string, number>, groups?: number): { vector: KernelRun[]; scalar: KernelRun[] } {
  const { offset, weights, biases, pStride } = REGION;
  const cap = (n: number) => (k: Parameters<typeof linearGroups>[0]) => (groups ? stridedGroups(k, n, groups) : linearGroups(k, n));
  const vector: KernelRun[] = [{
    name: kind === 'sgd' ? 'sgdStepVec4' : 'adamStepVec4', dims: { offset, count: weights + biases, biasStart: weights, pStride, ...extra },
    counts: cap((weights + biases) / 4),
  }];
  const scalar: KernelRun[] = [[offset, weights, 0], [offset + weights, biases, 1]].map(([o, count, isBias]) => ({
    name: kind === 'sgd' ? 'sgdStep' : 'adamStep', dims: { offset: o, count, isBias, pStride, ...extra }, counts: cap(count),
  }));
  return { vector, scalar };
}

/** Elements outside every model's region are exactly as they were. */
function expectOutsideUntouched(after: Float32Array, before: Float32Array, what: string): void {
  const { offset, weights, biases, pStride, models } = REGION;
  for (let i = 0; i < LENGTH; i++) {
    const z = Math.floor(i / pStride);
    const j = i - z * pStride;
    const inside = z < models && j >= offset && j < offset + weights + biases;
    if (!inside) expect(after[i], `${what}[${i}] lies outside the region`).toBe(before[i]);
  }
}

describe('sgd_step_vec4 over weights and biases of two stacked models', () => {
  const settings = [
    { momentum: 0, dampening: 0, nesterov: false },
    { momentum: 0.9, dampening: 0.1, nesterov: false },
    { momentum: 0.8, dampening: 0, nesterov: true },
  ];
  for (const s of settings) for (const t of [1, 4]) for (const groups of [undefined, 2]) {
    it(`momentum ${s.momentum} damp ${s.dampening} nesterov ${s.nesterov} t=${t}${groups ? `, ${groups} workgroups` : ''}`, async () => {
      const lr = 0.05;
      const seed = 100 * t + 10 * s.momentum + (groups ?? 0);
      const param = randomF32(LENGTH, seed);
      const grad = randomF32(LENGTH, seed + 1);
      const buf = randomF32(LENGTH, seed + 2);
      const opt = defaultOptimizer('sgd', { lr, ...s });
      const step = packStepSlots([{ lr, t, slot: 0, indexOffset: 0 }], opt, DECAYS);
      const extra = { nesterov: s.nesterov ? 1 : 0, momentum: s.momentum, dampening: s.dampening };
      const { vector, scalar } = runs('sgd', extra, groups);
      const cache = cacheOf(VARIANTS.software);
      const got = await runDispatches(cache, vector, [param, grad, buf], step, REGION.models);
      const want = await runDispatches(cache, scalar, [param, grad, buf], step, REGION.models);
      const [p, g, b] = got.map((x) => new Float32Array(x));
      for (let z = 0; z < REGION.models; z++) for (const isBias of [false, true]) {
        const start = z * REGION.pStride + REGION.offset + (isBias ? REGION.weights : 0);
        const n = isBias ? REGION.biases : REGION.weights;
        const refP = Float64Array.from(param.subarray(start, start + n));
        const refB = Float64Array.from(buf.subarray(start, start + n));
        sgdStep(refP, Float64Array.from(grad.subarray(start, start + n)), s.momentum ? refB : null, n, {
          lr: f32(lr), momentum: f32(s.momentum), dampening: f32(s.dampening), nesterov: s.nesterov, firstStep: t === 1,
          ...terms(z, lr, isBias),
        });
        const r = expectClose(p.subarray(start, start + n), refP, STEP_TOL, `model ${z} ${isBias ? 'biases' : 'weights'}`);
        log.record('sgd_step_vec4', `model ${z}`, r.maxAbsError);
        expectClose(b.subarray(start, start + n), refB, STEP_TOL, `model ${z} momentum buffer`);
      }
      expectOutsideUntouched(p, param, 'params');
      expectOutsideUntouched(b, buf, 'momentum');
      expect(Array.from(g)).toEqual(Array.from(grad));
      // The same arithmetic per component as the scalar kernel, buffer for buffer.
      got.forEach((x, i) => expectSameArithmetic(gpu.info, new Float32Array(x), new Float32Array(want[i]), STEP_TOL, `binding ${i} vs the scalar kernel`));
    });
  }
});

describe('adam_step_vec4 over weights and biases of two stacked models', () => {
  for (const t of [1, 2, 50]) for (const groups of [undefined, 2]) {
    it(`t=${t}${groups ? `, ${groups} workgroups` : ''}`, async () => {
      const lr = 0.01;
      const seed = 7 * t + (groups ?? 0);
      const param = randomF32(LENGTH, seed);
      const grad = randomF32(LENGTH, seed + 1);
      const m = t === 1 ? new Float32Array(LENGTH) : randomF32(LENGTH, seed + 2, -0.1, 0.1);
      const v = t === 1 ? new Float32Array(LENGTH) : randomF32(LENGTH, seed + 3, 0, 0.01);
      const opt = defaultOptimizer('adam', { lr });
      const step = packStepSlots([{ lr, t, slot: 0, indexOffset: 0 }], opt, DECAYS);
      const { vector, scalar } = runs('adam', { beta1: opt.beta1, beta2: opt.beta2, eps: opt.eps }, groups);
      const cache = cacheOf(VARIANTS.hardware);
      const got = await runDispatches(cache, vector, [param, grad, m, v], step, REGION.models);
      const want = await runDispatches(cache, scalar, [param, grad, m, v], step, REGION.models);
      const [p, , mOut, vOut] = got.map((x) => new Float32Array(x));
      for (let z = 0; z < REGION.models; z++) for (const isBias of [false, true]) {
        const start = z * REGION.pStride + REGION.offset + (isBias ? REGION.weights : 0);
        const n = isBias ? REGION.biases : REGION.weights;
        const slice = (a: Float32Array) => Float64Array.from(a.subarray(start, start + n));
        const [refP, refM, refV] = [slice(param), slice(m), slice(v)];
        adamStep(refP, slice(grad), refM, refV, n, {
          lr: f32(lr), beta1: f32(opt.beta1), beta2: f32(opt.beta2), eps: f32(opt.eps), step: t, ...terms(z, lr, isBias),
        });
        const r = expectClose(p.subarray(start, start + n), refP, STEP_TOL, `model ${z} ${isBias ? 'biases' : 'weights'}`);
        log.record('adam_step_vec4', `model ${z} t=${t}`, r.maxAbsError);
        expectClose(mOut.subarray(start, start + n), refM, STEP_TOL, `model ${z} m`);
        expectClose(vOut.subarray(start, start + n), refV, STEP_TOL, `model ${z} v`);
      }
      expectOutsideUntouched(p, param, 'params');
      expectOutsideUntouched(mOut, m, 'm');
      expectOutsideUntouched(vOut, v, 'v');
      got.forEach((x, i) => expectSameArithmetic(gpu.info, new Float32Array(x), new Float32Array(want[i]), STEP_TOL, `binding ${i} vs the scalar kernel`));
    });
  }
});

describe('optimizer dispatch selection', () => {
  const spec = { inputSize: 784, hidden: [128], classes: 10 };
  const layout = paramLayout(spec);
  it('one vec4 dispatch over the trainer layout (weights and biases), with or without a sweep stride', () => {
    for (const pStride of [0, layout.total]) {
      expect(optimizerDispatches('sgd', layout, pStride, VARIANTS.software)).toEqual([{
        name: 'sgdStepVec4', region: { offset: 0, count: layout.total, biasStart: layout.biases.offset }, invocations: layout.total / 4,
      }]);
    }
    expect(optimizerDispatches('adamw', paramLayout({ inputSize: 13, hidden: [7, 5], classes: 3 }), 0, VARIANTS.hardware)[0].name).toBe('adamStepVec4');
  });
  const scalar = (name: string, w: { offset: number; count: number }, b: { offset: number; count: number }) => [
    { name, region: { ...w, isBias: 0 }, invocations: w.count }, { name, region: { ...b, isBias: 1 }, invocations: b.count },
  ];
  it('the scalar pair where a count, an offset or the stride is not a multiple of 4, the groups are apart, or the variant says no', () => {
    const w = { offset: 0, count: 92 };
    const b = { offset: 92, count: 12 };
    expect(optimizerDispatches('sgd', { weights: { offset: 0, count: 91 }, biases: { offset: 91, count: 12 } }, 0, VARIANTS.software))
      .toEqual(scalar('sgdStep', { offset: 0, count: 91 }, { offset: 91, count: 12 }));
    expect(optimizerDispatches('adam', { weights: w, biases: { offset: 92, count: 13 } }, 0, VARIANTS.software)[0].name).toBe('adamStep');
    expect(optimizerDispatches('adam', { weights: { offset: 2, count: 92 }, biases: { offset: 94, count: 12 } }, 0, VARIANTS.software)[0].name).toBe('adamStep');
    expect(optimizerDispatches('sgd', { weights: w, biases: b }, 106, VARIANTS.software)).toEqual(scalar('sgdStep', w, b));
    expect(optimizerDispatches('sgd', { weights: w, biases: { offset: 96, count: 12 } }, 0, VARIANTS.software)[0].name).toBe('sgdStep');
    expect(optimizerDispatches('sgd', { weights: w, biases: b }, 0, { ...VARIANTS.software, vectorElementwise: false })).toEqual(scalar('sgdStep', w, b));
  });
});
