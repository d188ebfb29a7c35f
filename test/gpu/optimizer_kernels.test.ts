// sgd_step and adam_step against their float64 CPU twins, with the weight/bias decay terms told apart, and the
// decoupled-decay identity on a zero gradient.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decayTerms, defaultOptimizer, type DecayConfig } from '../../src/core/optimizer';
import { adamStep, sgdStep } from '../../src/cpu/optimizer_steps';
import { linearGroups, stridedGroups } from '../../src/gpu/dispatch';
import { VARIANTS } from '../../src/gpu/kernel_variants';
import { PipelineCache } from '../../src/gpu/pipeline_cache';
import { packStepSlots } from '../../src/gpu/step_uniform';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose } from '../helpers/expect_close';
import { driverName, testGpu } from './helpers/gpu_device';
import { ErrorLog, randomF32 } from './helpers/random';
import { runKernel } from './helpers/run_kernel';

const U = 2 ** -24;
const f32 = Math.fround;
// Every value below is O(1) and each update is a handful of f32 operations on such values:
// |err| ≤ ~8 roundings of magnitude ≤ 4, so atol 32u (≈ 2e-6) with rtol 8u.
const STEP_TOL = { atol: 32 * U, rtol: 8 * U };

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

/** The terms the GPU receives, rounded to f32 as they travel in the uniform. */
function terms(decay: DecayConfig, lr: number, isBias: boolean): { gradCoefficient: number; paramScale: number } {
  const t = decayTerms(decay, lr, isBias);
  return { gradCoefficient: f32(t.gradCoefficient), paramScale: f32(t.paramScale) };
}

const DECAYS: DecayConfig[] = [
  { mode: 'l2', coefficient: 0.05, decayBiases: false },
  { mode: 'coupled', coefficient: 0.1, decayBiases: true },
  { mode: 'decoupled', coefficient: 0.3, decayBiases: false },
];
const SIZES = [1, 91, 1000];

describe('sgd_step', () => {
  const settings = [
    { momentum: 0, dampening: 0, nesterov: false },
    { momentum: 0.9, dampening: 0, nesterov: false },
    { momentum: 0.9, dampening: 0.1, nesterov: false },
    { momentum: 0.8, dampening: 0, nesterov: true },
  ];
  for (const n of SIZES) for (const decay of DECAYS) for (const s of settings) for (const t of [1, 5]) for (const isBias of [false, true]) {
    it(`n=${n} ${decay.mode} momentum ${s.momentum} damp ${s.dampening} nesterov ${s.nesterov} t=${t} ${isBias ? 'bias' : 'weight'}`, async () => {
      const lr = 0.05;
      const offset = 3;
      const seed = n * 7 + t;
      const param = randomF32(n + offset + 2, seed);
      const grad = randomF32(n + offset + 2, seed + 1);
      const buf = randomF32(n + offset + 2, seed + 2);
      const opt = defaultOptimizer('sgd', { lr, ...s });
      const step = packStepSlots([{ lr, t, slot: 0, indexOffset: 0 }], opt, decay);
      const [p, , b] = await runKernel(cache, 'sgdStep',
        { offset, count: n, isBias: isBias ? 1 : 0, nesterov: s.nesterov ? 1 : 0, momentum: s.momentum, dampening: s.dampening },
        [param, grad, buf], (k) => linearGroups(k, n), step);
      const refP = Float64Array.from(param.subarray(offset, offset + n));
      const refB = Float64Array.from(buf.subarray(offset, offset + n));
      sgdStep(refP, Float64Array.from(grad.subarray(offset, offset + n)), s.momentum ? refB : null, n, {
        lr: f32(lr), momentum: f32(s.momentum), dampening: f32(s.dampening), nesterov: s.nesterov, firstStep: t === 1,
        ...terms(decay, lr, isBias),
      });
      const gotP = new Float32Array(p);
      const r = expectClose(gotP.subarray(offset, offset + n), refP, STEP_TOL, 'params');
      log.record('sgd_step', `n=${n}`, r.maxAbsError);
      expectClose(new Float32Array(b).subarray(offset, offset + n), refB, STEP_TOL, 'momentum buffer');
      // Outside [offset, offset + count) nothing moves.
      expect(Array.from(gotP.subarray(0, offset))).toEqual(Array.from(param.subarray(0, offset)));
      expect(Array.from(gotP.subarray(offset + n))).toEqual(Array.from(param.subarray(offset + n)));
    });
  }
});

describe('adam_step', () => {
  for (const n of SIZES) for (const decay of DECAYS) for (const t of [1, 2, 50]) for (const isBias of [false, true]) {
    it(`n=${n} ${decay.mode} t=${t} ${isBias ? 'bias' : 'weight'}`, async () => {
      const lr = 0.01;
      const seed = n * 13 + t;
      const param = randomF32(n, seed);
      const grad = randomF32(n, seed + 1);
      const m = t === 1 ? new Float32Array(n) : randomF32(n, seed + 2, -0.1, 0.1);
      const v = t === 1 ? new Float32Array(n) : randomF32(n, seed + 3, 0, 0.01);
      const opt = defaultOptimizer('adam', { lr });
      const step = packStepSlots([{ lr, t, slot: 0, indexOffset: 0 }], opt, decay);
      const [p, , mOut, vOut] = await runKernel(cache, 'adamStep',
        { offset: 0, count: n, isBias: isBias ? 1 : 0, beta1: opt.beta1, beta2: opt.beta2, eps: opt.eps },
        [param, grad, m, v], (k) => linearGroups(k, n), step);
      const refP = Float64Array.from(param);
      const refM = Float64Array.from(m);
      const refV = Float64Array.from(v);
      adamStep(refP, Float64Array.from(grad), refM, refV, n, {
        lr: f32(lr), beta1: f32(opt.beta1), beta2: f32(opt.beta2), eps: f32(opt.eps), step: t, ...terms(decay, lr, isBias),
      });
      const r = expectClose(new Float32Array(p), refP, STEP_TOL, 'params');
      log.record('adam_step', `n=${n} t=${t}`, r.maxAbsError);
      expectClose(new Float32Array(mOut), refM, STEP_TOL, 'm');
      expectClose(new Float32Array(vOut), refV, STEP_TOL, 'v');
    });
  }
});

describe('decoupled decay on a zero gradient', () => {
  const decay: DecayConfig = { mode: 'decoupled', coefficient: 0.5, decayBiases: false };
  const lr = 0.1;
  const n = 257;
  const param = randomF32(n, 42);
  const zero = new Float32Array(n);
  const scale = f32(1 - lr * decay.coefficient);

  for (const [kind, momentum] of [['sgd', 0], ['sgd', 0.9], ['adam', 0]] as const) {
    it(`${kind}${momentum ? ' with momentum' : ''}: weights scale by exactly (1 − η·wd), biases stay`, async () => {
      const opt = defaultOptimizer(kind, { lr, momentum });
      const step = packStepSlots([{ lr, t: 1, slot: 0, indexOffset: 0 }], opt, decay);
      const run = (isBias: number) => kind === 'sgd'
        ? runKernel(cache, 'sgdStep', { offset: 0, count: n, isBias, nesterov: 0, momentum, dampening: 0 },
          [param, zero, zero], (k) => linearGroups(k, n), step)
        : runKernel(cache, 'adamStep', { offset: 0, count: n, isBias, beta1: opt.beta1, beta2: opt.beta2, eps: opt.eps },
          [param, zero, zero, zero], (k) => linearGroups(k, n), step);
      const [w] = await run(0);
      // One f32 multiplication, rounded once: bit-exact.
      expect(Array.from(new Float32Array(w))).toEqual(Array.from(param, (p) => f32(p * scale)));
      const [b] = await run(1);
      expect(Array.from(new Float32Array(b))).toEqual(Array.from(param));
    });
  }

  it('with decayBiases, biases scale by exactly (1 − η·wd) too', async () => {
    const opt = defaultOptimizer('sgd', { lr });
    const step = packStepSlots([{ lr, t: 1, slot: 0, indexOffset: 0 }], opt, { ...decay, decayBiases: true });
    const [b] = await runKernel(cache, 'sgdStep', { offset: 0, count: n, isBias: 1, nesterov: 0, momentum: 0, dampening: 0 },
      [param, zero, zero], (k) => linearGroups(k, n), step);
    expect(Array.from(new Float32Array(b))).toEqual(Array.from(param, (p) => f32(p * scale)));
  });
});

describe('grid-stride dispatch (the trainer caps optimizer workgroups on CPU drivers)', () => {
  // 1 000 elements over 2 workgroups of 64: each invocation updates 7 or 8 elements, some none in the last round.
  const n = 1000;
  const param = randomF32(n, 7);
  const grad = randomF32(n, 8);
  const state = randomF32(n, 9);
  for (const [kind, momentum] of [['sgd', 0.9], ['adam', 0]] as const) {
    it(`${kind}: two workgroups give the full dispatch's result, bit for bit`, async () => {
      const opt = defaultOptimizer(kind, { lr: 0.05, momentum });
      const step = packStepSlots([{ lr: 0.05, t: 3, slot: 0, indexOffset: 0 }], opt, { mode: 'coupled', coefficient: 0.01, decayBiases: false });
      const run = (groups: (k: Parameters<typeof linearGroups>[0]) => [number, number]) => kind === 'sgd'
        ? runKernel(cache, 'sgdStep', { offset: 0, count: n, isBias: 0, nesterov: 0, momentum, dampening: 0 },
          [param, grad, state], groups, step)
        : runKernel(cache, 'adamStep', { offset: 0, count: n, isBias: 0, beta1: opt.beta1, beta2: opt.beta2, eps: opt.eps },
          [param, grad, state, state.map(Math.abs)], groups, step);
      const capped = await run((k) => stridedGroups(k, n, 2));
      const full = await run((k) => linearGroups(k, n));
      expect(stridedGroups(cache.get(kind === 'sgd' ? 'sgdStep' : 'adamStep'), n, 2)).toEqual([2, 1]);
      capped.forEach((bytes, i) => expect(Array.from(new Float32Array(bytes)), `binding ${i}`).toEqual(Array.from(new Float32Array(full[i]))));
      // And the update did happen (the buffers changed).
      expect(Array.from(new Float32Array(capped[0]))).not.toEqual(Array.from(param));
    });
  }

  it('names a bad cap', () => {
    expect(() => stridedGroups(cache.get('sgdStep'), n, 0)).toThrow(/maxGroups must be a positive integer, got 0/);
  });
});
