// gather_batch, relu_backward and sum_squares against their CPU twins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOptimizer } from '../../src/core/optimizer';
import { Prng } from '../../src/core/prng';
import { reluBackward } from '../../src/cpu/dense';
import { gatherBatch, sumSquares } from '../../src/cpu/reductions';
import { linearGroups } from '../../src/gpu/dispatch';
import { VARIANTS, type KernelVariant } from '../../src/gpu/kernel_variants';
import { PipelineCache } from '../../src/gpu/pipeline_cache';
import { packStepSlots } from '../../src/gpu/step_uniform';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose } from '../helpers/expect_close';
import { driverName, testGpu } from './helpers/gpu_device';
import { ErrorLog, maxAbs, randomF32 } from './helpers/random';
import { runKernel } from './helpers/run_kernel';

const U = 2 ** -24;
const NO_DECAY = { mode: 'l2', coefficient: 0, decayBiases: false } as const;

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

describe('gather_batch', () => {
  // (count, dim, batch): dims that cut packed u8 words anywhere.
  const SHAPES: [number, number, number][] = [[1, 1, 1], [20, 13, 7], [100, 65, 33], [300, 784, 64]];
  for (const [count, dim, B] of SHAPES) for (const kind of ['u8', 'f32'] as const) {
    it(`${kind} features ${count}×${dim}, batch ${B}, at a step offset`, async () => {
      const rng = new Prng(count + dim);
      const features = kind === 'u8'
        ? Uint8Array.from({ length: count * dim }, () => rng.nextInt(256))
        : randomF32(count * dim, count, -3, 3);
      const labels = Uint8Array.from({ length: count }, () => rng.nextInt(10));
      const scale = randomF32(dim, dim, 0.001, 0.02);
      const shift = randomF32(dim, dim + 1, -1, 1);
      const steps = 3;
      // Indices repeat samples and include the last one.
      const indices = Uint32Array.from({ length: steps * B }, (_, i) => (i % 5 === 0 ? count - 1 : rng.nextInt(count)));
      const s = 2;
      const step = packStepSlots([{ lr: 0, t: 0, slot: s, indexOffset: s * B }], defaultOptimizer('sgd'), NO_DECAY);
      const norm = new Float32Array(2 * dim);
      norm.set(scale);
      norm.set(shift, dim);
      const [, , , x] = await runKernel(cache, 'gatherBatch', { batch: B, dim, packedU8: kind === 'u8' ? 1 : 0 },
        [features, norm, indices, B * dim], (k) => [Math.ceil(dim / k.workgroup[0]), B], step);
      const refX = new Float64Array(B * dim);
      const refLabels = new Uint32Array(B);
      gatherBatch(features, labels, scale, shift, indices, s * B, B, dim, refX, refLabels);
      // raw·scale + shift: two roundings (or one, fused) of values ≤ max|raw·scale| + max|shift|.
      const atol = 2 * U * (maxAbs(features) * maxAbs(scale) + maxAbs(shift));
      const r = expectClose(new Float32Array(x), refX, { atol, rtol: 0 }, 'x');
      log.record(`gather_batch ${kind}`, `${count}×${dim}`, r.maxAbsError);
    });
  }
});

describe('relu_backward', () => {
  // A variant with one invocation per workgroup makes 70 000 elements need the 2-D fold past 65 535 workgroups.
  const tiny: KernelVariant = { ...VARIANTS.software, name: 'one-invocation', linear: 1 };
  for (const [n, variant] of [[1, VARIANTS.software], [91, VARIANTS.software], [36465, VARIANTS.hardware], [70_000, tiny]] as const) {
    it(`n=${n} (${variant.name} variant): exact`, async () => {
      const c = new PipelineCache(gpu.device, variant);
      const dy = randomF32(n, n);
      const y = randomF32(n, n + 1).map((v) => Math.max(v, 0));
      const [, , dx] = await runKernel(c, 'reluBackward', { n }, [dy, y, n], (k) => linearGroups(k, n));
      const ref = new Float32Array(n);
      reluBackward(dy, y, ref, n);
      // A select, no arithmetic: bit-exact.
      expect(new Float32Array(dx)).toEqual(ref);
      log.record('relu_backward', `n=${n}`, 0);
    });
  }
});

describe('sum_squares', () => {
  for (const n of [1, 91, 36465, 100_352]) {
    it(`n=${n} at an offset, into a slot`, async () => {
      const offset = 5;
      const data = randomF32(n + offset + 3, n);
      const [, out] = await runKernel(cache, 'sumSquares', { offset, count: n, slot: 1 }, [data, 3], () => [1, 1]);
      const ref = sumSquares(data.subarray(offset, offset + n), n);
      // Positive terms: each thread adds ⌈n/256⌉ of them, then an 8-level tree; relative error ≤ (n/256 + 9)·u, 4×.
      const r = expectClose([new Float32Array(out)[1]], [ref], { atol: 0, rtol: 4 * (n / 256 + 9) * U }, 'Σx²');
      log.record('sum_squares', `n=${n}`, r.maxAbsError);
      expect(new Float32Array(out)[0]).toBe(0);
    });
  }
});
