// dense_forward, dense_backward_input, dense_backward_weight and bias_backward against their float64 CPU twins,
// for every kernel variant, on shapes no tile divides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { biasBackward, denseBackwardInput, denseBackwardWeight, denseForward } from '../../src/cpu/dense';
import { PipelineCache } from '../../src/gpu/pipeline_cache';
import { gemmGroups, linearGroups } from '../../src/gpu/dispatch';
import { gemmKernel, VARIANTS } from '../../src/gpu/kernel_variants';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose } from '../helpers/expect_close';
import { driverName, testGpu } from './helpers/gpu_device';
import { ErrorLog, maxAbs, randomF32 } from './helpers/random';
import { runKernel } from './helpers/run_kernel';

// (batch, inFeatures, outFeatures): tiny, odd, larger than one workgroup tile, the MNIST layer, and 4×4 blocks cut;
// the vec4 kernels run on those whose inFeatures is a multiple of 4 (plus a few added for them).
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [7, 13, 7], [33, 65, 17], [64, 784, 128], [101, 19, 70], [1, 4, 1], [5, 4, 3], [33, 68, 17], [101, 20, 70],
];
const FORMS = ['scalar', 'vec4'] as const;
const U = 2 ** -24; // float32 unit roundoff

/**
 * Tolerance of a K-term f32 dot product against the float64 reference: each of the K additions rounds with relative
 * error ≤ u of a partial sum that is at most K·max|a|·max|b|, and random-sign roundings grow like √K, giving ≈ K·u·
 * max|a|·max|b| in practice; 4× that is the atol. rtol 4u covers the final rounding of the result and the bias add.
 */
function dotTolerance(k: number, a: ArrayLike<number>, b: ArrayLike<number>): { atol: number; rtol: number } {
  return { atol: 4 * Math.max(k, 1) * U * maxAbs(a) * maxAbs(b), rtol: 4 * U };
}

/** Places tensors at non-zero offsets in one buffer, as the trainer's packed parameter buffer does. */
function pack(parts: Float32Array[], gap: number): { data: Float32Array; offsets: number[] } {
  const offsets: number[] = [];
  let n = gap;
  for (const p of parts) {
    offsets.push(n);
    n += p.length + gap;
  }
  const data = randomF32(n, 999); // garbage around the tensors: a kernel that reads outside them fails
  parts.forEach((p, i) => data.set(p, offsets[i]));
  return { data, offsets };
}

let gpu: NodeGpu;
const log = new ErrorLog();
beforeAll(async () => { gpu = await testGpu(); });
afterAll(() => {
  log.print(driverName(gpu.info));
  gpu.destroy();
});

describe('GEMM kernel selection', () => {
  it('takes vec4 kernels exactly when inFeatures and the offsets are multiples of 4', () => {
    expect(gemmKernel('forward', 784, [0])).toBe('denseForwardVec4');
    expect(gemmKernel('backwardInput', 128, [4])).toBe('denseBackwardInputVec4');
    expect(gemmKernel('backwardWeight', 20)).toBe('denseBackwardWeightVec4');
    expect(gemmKernel('forward', 13, [0])).toBe('denseForward');
    expect(gemmKernel('backwardInput', 128, [6])).toBe('denseBackwardInput');
    expect(gemmKernel('backwardWeight', 65)).toBe('denseBackwardWeight');
    expect(gemmKernel('forward', 13, [0], VARIANTS.hardware)).toBe('denseForwardTiled');
    // Tiles only where rows are not whole vec4s: the vec4 kernel beat them on an H200 at 64×784×128.
    expect(gemmKernel('forward', 784, [0], VARIANTS.hardware)).toBe('denseForwardVec4');
    expect(gemmKernel('forward', 784, [2], VARIANTS.hardware)).toBe('denseForwardTiled');
    expect(gemmKernel('forward', 784, [0], VARIANTS.software)).toBe('denseForwardVec4');
    expect(gemmKernel('forward', 784, [0], { ...VARIANTS.software, blocked: { forward: 'denseForwardBlock4x8' } })).toBe('denseForwardBlock4x8');
    expect(gemmKernel('forward', 13, [0], VARIANTS.software)).toBe('denseForward');
    expect(gemmKernel('backwardWeight', 784, [0], VARIANTS.software, 128)).toBe('denseBackwardWeightBlock8x16');
    // The blocked weight gradient also reads dy as vec4s: not taken for 10 outputs, nor when outFeatures is unknown.
    expect(gemmKernel('backwardWeight', 128, [0], VARIANTS.software, 10)).toBe('denseBackwardWeightVec4');
    expect(gemmKernel('backwardWeight', 128, [0], VARIANTS.software)).toBe('denseBackwardWeightVec4');
    expect(gemmKernel('backwardWeight', 128, [2], VARIANTS.software, 128)).toBe('denseBackwardWeight');
    expect(gemmKernel('backwardInput', 784, [0], VARIANTS.hardware)).toBe('denseBackwardInputVec4');
  });
});

// The workgroup-memory forward kernel of real GPUs, checked on these CPU drivers with both workgroup shapes.
for (const variant of Object.values(VARIANTS)) {
  describe(`dense_forward_tiled, ${variant.name} workgroup`, () => {
    let cache: PipelineCache;
    beforeAll(() => { cache = new PipelineCache(gpu.device, variant); });
    for (const [B, I, O] of SHAPES) {
      const shape = `${B}×${I}×${O}`;
      it(`${shape} (with and without ReLU)`, async () => {
        const seed = B * 1_000_000 + I * 1000 + O;
        const x = randomF32(B * I, seed);
        const w = randomF32(O * I, seed + 1);
        const b = randomF32(O, seed + 2);
        const { data, offsets } = pack([w, b], 3);
        for (const relu of [false, true]) {
          const ref = new Float64Array(B * O);
          denseForward(Float64Array.from(x), Float64Array.from(w), Float64Array.from(b), ref, B, I, O, relu);
          const [, , y] = await runKernel(cache, 'denseForwardTiled',
            { batch: B, inFeatures: I, outFeatures: O, relu: relu ? 1 : 0, wOffset: offsets[0], bOffset: offsets[1] },
            [x, data, B * O], (k) => gemmGroups(k, B, O));
          const r = expectClose(new Float32Array(y), ref, dotTolerance(I + 1, x, w), `dense_forward_tiled ${shape}`);
          log.record(`dense_forward_tiled/${variant.name}`, shape, r.maxAbsError);
        }
      });
    }
  });
}

for (const variant of Object.values(VARIANTS)) for (const form of FORMS) {
  describe(`dense kernels, ${variant.name} variant, ${form} loads`, () => {
    let cache: PipelineCache;
    beforeAll(() => { cache = new PipelineCache(gpu.device, variant); });
    const pick = <S extends string, V extends string>(scalar: S, vec4: V): S | V => (form === 'vec4' ? vec4 : scalar);

    for (const [B, I, O] of SHAPES.filter(([, I]) => form === 'scalar' || I % 4 === 0)) {
      const shape = `${B}×${I}×${O}`;
      const tag = `${variant.name}/${form}`;
      const seed = B * 1_000_000 + I * 1000 + O;

      it(`dense_forward ${shape} (with and without ReLU)`, async () => {
        const x = randomF32(B * I, seed);
        const w = randomF32(O * I, seed + 1);
        const b = randomF32(O, seed + 2);
        const { data, offsets } = pack([w, b], form === 'vec4' ? 4 : 3);
        for (const relu of [false, true]) {
          const ref = new Float64Array(B * O);
          denseForward(Float64Array.from(x), Float64Array.from(w), Float64Array.from(b), ref, B, I, O, relu);
          const [, , y] = await runKernel(cache, pick('denseForward', 'denseForwardVec4'),
            { batch: B, inFeatures: I, outFeatures: O, relu: relu ? 1 : 0, wOffset: offsets[0], bOffset: offsets[1] },
            [x, data, B * O], (k) => gemmGroups(k, B, O));
          const r = expectClose(new Float32Array(y), ref, dotTolerance(I + 1, x, w), `dense_forward ${shape}`);
          log.record(`dense_forward/${tag}`, shape, r.maxAbsError);
        }
      });

      it(`dense_backward_input ${shape} (with and without the ReLU mask)`, async () => {
        const dy = randomF32(B * O, seed + 3);
        const w = randomF32(O * I, seed + 4);
        // Half the activations are zero, as after a ReLU.
        const act = randomF32(B * I, seed + 5).map((v) => Math.max(v, 0));
        const { data, offsets } = pack([w], form === 'vec4' ? 8 : 5);
        for (const mask of [false, true]) {
          const ref = new Float64Array(B * I);
          denseBackwardInput(Float64Array.from(dy), Float64Array.from(w), ref, B, I, O, mask ? Float64Array.from(act) : undefined);
          const [, , , dx] = await runKernel(cache, pick('denseBackwardInput', 'denseBackwardInputVec4'),
            { batch: B, inFeatures: I, outFeatures: O, maskRelu: mask ? 1 : 0, wOffset: offsets[0] },
            [dy, data, act, B * I], (k) => gemmGroups(k, B, I));
          const r = expectClose(new Float32Array(dx), ref, dotTolerance(O, dy, w), `dense_backward_input ${shape}`);
          log.record(`dense_backward_input/${tag}`, shape, r.maxAbsError);
        }
      });

      it(`dense_backward_weight and bias_backward ${shape}`, async () => {
        const dy = randomF32(B * O, seed + 6);
        const x = randomF32(B * I, seed + 7);
        const dwOffset = form === 'vec4' ? 12 : 11;
        const refW = new Float64Array(O * I);
        denseBackwardWeight(Float64Array.from(dy), Float64Array.from(x), refW, B, I, O);
        const before = randomF32(dwOffset + O * I + 7, seed + 8);
        const [, , grads] = await runKernel(cache, pick('denseBackwardWeight', 'denseBackwardWeightVec4'),
          { batch: B, inFeatures: I, outFeatures: O, dwOffset }, [dy, x, before], (k) => gemmGroups(k, O, I));
        const g = new Float32Array(grads);
        const r = expectClose(g.subarray(dwOffset, dwOffset + O * I), refW, dotTolerance(B, dy, x), `dense_backward_weight ${shape}`);
        log.record(`dense_backward_weight/${tag}`, shape, r.maxAbsError);
        // Nothing outside the tensor is touched.
        expect(Array.from(g.subarray(0, dwOffset))).toEqual(Array.from(before.subarray(0, dwOffset)));
        expect(Array.from(g.subarray(dwOffset + O * I))).toEqual(Array.from(before.subarray(dwOffset + O * I)));

        const refB = new Float64Array(O);
        biasBackward(Float64Array.from(dy), refB, B, O);
        const [, db] = await runKernel(cache, 'biasBackward', { batch: B, outFeatures: O, dbOffset: 2 },
          [dy, O + 2], (k) => linearGroups(k, O));
        const rb = expectClose(new Float32Array(db).subarray(2), refB, dotTolerance(B, dy, [1]), `bias_backward ${shape}`);
        log.record(`bias_backward/${tag}`, shape, rb.maxAbsError);
      });
    }
  });
}
