// The register-blocked GEMM kernels (gemm_codegen.ts) against their float64 CPU twins: every candidate the autotuner
// may pick, on every workgroup shape the variants use, on shapes no block divides; then every variant as a whole
// (the kernel gemmKernel picks for each role) on the awkward shapes, including widths only the scalar kernels take.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { biasBackward, denseBackwardWeight, denseForward } from '../../src/cpu/dense';
import { autotuneVariant } from '../../src/gpu/autotune';
import { gemmGroups } from '../../src/gpu/dispatch';
import {
  FORWARD_BLOCKS, FORWARD_SHUFFLES, fixedSubgroupSize, gemmKernel, isSoftwareAdapter, packedInputKernels, selectVariant, subgroupVariant, VARIANTS, WEIGHT_BLOCKS, WEIGHT_SHUFFLES,
  u8InputKernel, withSubgroups, type KernelVariant,
} from '../../src/gpu/kernel_variants';
import { KERNELS, type KernelName } from '../../src/gpu/kernels';
import { PipelineCache } from '../../src/gpu/pipeline_cache';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose } from '../helpers/expect_close';
import { driverName, testGpu } from './helpers/gpu_device';
import { ErrorLog, maxAbs, randomF32 } from './helpers/random';
import { layerInput } from './helpers/layer_input';
import { runKernel } from './helpers/run_kernel';

const U = 2 ** -24; // float32 unit roundoff

/** K-term f32 dot products against float64: ≈ K·u·max|a|·max|b| in practice (see dense_kernels.test.ts); 4× that. */
function dotTolerance(k: number, a: ArrayLike<number>, b: ArrayLike<number>): { atol: number; rtol: number } {
  return { atol: 4 * Math.max(k, 1) * U * maxAbs(a) * maxAbs(b), rtol: 4 * U };
}

// (batch, inFeatures, outFeatures) with inFeatures % 4 == 0 (forward blocks) and outFeatures % 4 == 0 too (weight
// blocks): one row, blocks cut in both directions, a batch no block row count divides, and the MNIST layer.
const FORWARD_SHAPES: [number, number, number][] = [[1, 4, 1], [5, 4, 3], [7, 12, 13], [33, 68, 17], [101, 20, 70], [64, 784, 128]];
const WEIGHT_SHAPES: [number, number, number][] = [[1, 4, 4], [5, 4, 8], [7, 12, 12], [33, 68, 20], [101, 20, 72], [64, 784, 128]];
// The awkward shapes of the variant-level check; scalar kernels take the widths that are not multiples of 4.
const AWKWARD: [number, number, number][] = [[1, 1, 1], [7, 13, 7], [33, 65, 17], [64, 784, 128], [33, 68, 20], [101, 20, 72]];

/** The variants' workgroup shapes, plus one invocation per workgroup (every edge clamp exercised). */
const WORKGROUPS: KernelVariant[] = [
  VARIANTS.software, VARIANTS.hardware, { ...VARIANTS.software, name: 'one-invocation', gemmCols: 1, gemmRows: 1 },
];

let gpu: NodeGpu;
const log = new ErrorLog();
beforeAll(async () => { gpu = await testGpu(); });
afterAll(() => {
  log.print(driverName(gpu.info));
  gpu.destroy();
});

async function checkForward(
  cache: PipelineCache, name: string, [B, I, O]: [number, number, number], tag: string, kind: 'f32' | 'u8' = 'f32',
): Promise<void> {
  const seed = B * 1_000_000 + I * 1000 + O;
  const { stored, extra, x, step } = layerInput(B, I, seed, kind);
  const w = randomF32(O * I, seed + 1);
  const b = randomF32(O, seed + 2);
  // w at a 4-aligned offset, the bias right after it at an odd one, garbage around both.
  const wOffset = 8;
  const bOffset = wOffset + O * I + 1;
  const params = randomF32(bOffset + O + 5, seed + 3);
  params.set(w, wOffset);
  params.set(b, bOffset);
  for (const relu of [false, true]) {
    const ref = new Float64Array(B * O);
    denseForward(x, Float64Array.from(w), Float64Array.from(b), ref, B, I, O, relu);
    const [, , y] = await runKernel(cache, name as never, { batch: B, inFeatures: I, outFeatures: O, relu: relu ? 1 : 0, wOffset, bOffset },
      [stored, params, B * O, ...extra], (k) => gemmGroups(k, B, O), step);
    // u8: x rounded once to f32 adds u·|x| per term, inside the 4·K·u bound.
    const r = expectClose(new Float32Array(y), ref, dotTolerance(I + 1, x, w), `${name} ${B}×${I}×${O} (${tag})`);
    log.record(`${name}/${tag}`, `${B}×${I}×${O}`, r.maxAbsError);
  }
}

/**
 * A weight-gradient kernel against its twin. `bias` asks a kernel that fuses the bias gradient (KernelDef.biasGradient)
 * to write it, after the weights with a gap, and checks it against biasBackward; otherwise nothing past the weights
 * may change.
 */
async function checkWeight(
  cache: PipelineCache, name: string, [B, I, O]: [number, number, number], tag: string, kind: 'f32' | 'u8' = 'f32', bias = false,
): Promise<void> {
  const seed = B * 1_000_000 + I * 1000 + O + 7;
  const dy = randomF32(B * O, seed);
  const { stored, extra, x, step } = layerInput(B, I, seed + 1, kind);
  const dwOffset = name.endsWith('WeightVec4') || name.includes('Block') || name.includes('Shuffle') ? 12 : 11;
  const dbOffset = dwOffset + O * I + 4;
  const ref = new Float64Array(O * I);
  denseBackwardWeight(Float64Array.from(dy), x, ref, B, I, O);
  const before = randomF32(dbOffset + O + 7, seed + 2);
  const [, , grads] = await runKernel(cache, name as never,
    { batch: B, inFeatures: I, outFeatures: O, dwOffset, dbOffset, biasGradient: bias ? 1 : 0 },
    [dy, stored, before, ...extra], (k) => gemmGroups(k, O, I), step);
  const g = new Float32Array(grads);
  const r = expectClose(g.subarray(dwOffset, dwOffset + O * I), ref, dotTolerance(B, dy, x), `${name} ${B}×${I}×${O} (${tag})`);
  log.record(`${name}/${tag}`, `${B}×${I}×${O}`, r.maxAbsError);
  // Clamped edge blocks never write outside the tensor.
  expect(Array.from(g.subarray(0, dwOffset))).toEqual(Array.from(before.subarray(0, dwOffset)));
  const untouched = bias ? [dwOffset + O * I, dbOffset] : [dwOffset + O * I, before.length];
  expect(Array.from(g.subarray(...untouched))).toEqual(Array.from(before.subarray(...untouched)));
  if (!bias) return;
  if (!KERNELS[name as KernelName].biasGradient) throw new Error(`${name} does not write the bias gradient`);
  const refBias = new Float64Array(O);
  biasBackward(Float64Array.from(dy), refBias, B, O);
  const rb = expectClose(g.subarray(dbOffset, dbOffset + O), refBias, dotTolerance(B, dy, [1]), `${name} bias ${B}×${I}×${O} (${tag})`);
  log.record(`${name} bias/${tag}`, `${B}×${I}×${O}`, rb.maxAbsError);
  expect(Array.from(g.subarray(dbOffset + O))).toEqual(Array.from(before.subarray(dbOffset + O)));
}

for (const variant of WORKGROUPS) {
  describe(`register-blocked GEMM candidates, ${variant.name} workgroup (${variant.gemmCols}×${variant.gemmRows})`, () => {
    let cache: PipelineCache;
    beforeAll(() => { cache = new PipelineCache(gpu.device, variant); });
    for (const name of FORWARD_BLOCKS) {
      it(`${name} on ${FORWARD_SHAPES.length} shapes (with and without ReLU)`, async () => {
        for (const shape of FORWARD_SHAPES) await checkForward(cache, name, shape, variant.name);
      });
    }
    for (const name of WEIGHT_BLOCKS) {
      it(`${name} on ${WEIGHT_SHAPES.length} shapes`, async () => {
        for (const shape of WEIGHT_SHAPES) await checkWeight(cache, name, shape, variant.name);
      });
    }
  });
}

describe('subgroup-shuffle GEMM kernels (the CPU drivers\' static choice when the device has fixed-size subgroups)', () => {
  // Both test drivers have them: lavapipe 25 with 8 lanes, SwiftShader with 4. A driver without them would silently
  // lose the fast forward product, so that is a failure here, not a skip.
  let variant: KernelVariant;
  let cache: PipelineCache;
  beforeAll(() => {
    const v = subgroupVariant(gpu.info, gpu.device.features);
    if (!v) {
      throw new Error(`${driverName(gpu.info)} has no fixed subgroup size (features: ${[...gpu.device.features].join(', ')}; ` +
        `sizes ${gpu.info.subgroupMinSize}–${gpu.info.subgroupMaxSize}): lavapipe ≥ 25 and SwiftShader both report one`);
    }
    variant = v;
    cache = new PipelineCache(gpu.device, variant);
  });

  it('is what the static selection picks for a CPU driver (a real GPU keeps the hardware variant)', () => {
    expect(variant.name).toBe(`software-subgroups${variant.subgroupSize}`);
    expect(selectVariant(gpu.info, gpu.device.features).name).toBe(isSoftwareAdapter(gpu.info) ? variant.name : 'hardware');
    expect(gemmKernel('forward', 784, [0], variant, 128)).toBe('denseForwardShuffle16x4');
    expect(gemmKernel('backwardWeight', 784, [0], variant, 128)).toBe('denseBackwardWeightShuffle32x8');
    expect(gemmKernel('backwardWeight', 784, [0], variant, 10)).toBe('denseBackwardWeightVec4');
    // Without a subgroup size the shuffle kernel is never chosen, whatever the variant names.
    expect(gemmKernel('forward', 784, [0], { ...variant, subgroupSize: undefined })).toBe('denseForwardVec4');
    expect(gemmKernel('backwardWeight', 784, [0], { ...variant, subgroupSize: undefined }, 128)).toBe('denseBackwardWeightVec4');
    expect(gemmKernel('forward', 13, [0], variant)).toBe('denseForward');
  });

  // Shapes whose k4 = inFeatures / 4 is below, at and past a multiple of the subgroup size (the shuffled loop and the
  // per-lane tail), rows and columns no block divides.
  const SHAPES: [number, number, number][] = [...FORWARD_SHAPES, [3, 32, 5], [40, 128, 10], [17, 132, 33]];
  for (const name of FORWARD_SHUFFLES) {
    it(`${name} on ${SHAPES.length} shapes (with and without ReLU)`, async () => {
      for (const shape of SHAPES) await checkForward(cache, name, shape, variant.name);
    });
  }
  // Batches below, at and past multiples of the subgroup size (the shuffled rows and the partial last group).
  const WEIGHT_SUBGROUP_SHAPES: [number, number, number][] = [...WEIGHT_SHAPES, [3, 36, 8], [9, 132, 36], [17, 64, 132]];
  // Every other shape with the fused bias gradient asked for, the rest without it (nothing written past the weights).
  for (const name of WEIGHT_SHUFFLES) {
    it(`${name} on ${WEIGHT_SUBGROUP_SHAPES.length} shapes, with and without the bias gradient`, async () => {
      for (const [i, shape] of WEIGHT_SUBGROUP_SHAPES.entries()) await checkWeight(cache, name, shape, variant.name, 'f32', i % 2 === 0);
    });
  }

  // The same kernels reading layer 0's input as packed uint8 words (gemm_codegen.ts GemmInput 'u8').
  for (const name of [...FORWARD_SHUFFLES, ...WEIGHT_SHUFFLES]) {
    const forward = name.startsWith('denseForward');
    it(`the u8-input twin of ${name} on ${forward ? SHAPES.length : WEIGHT_SUBGROUP_SHAPES.length} shapes`, async () => {
      const twin = u8InputKernel(name);
      if (!twin) throw new Error(`${name} has no u8-input twin`);
      if (forward) for (const shape of SHAPES) await checkForward(cache, twin, shape, variant.name, 'u8');
      else for (const [i, shape] of WEIGHT_SUBGROUP_SHAPES.entries()) await checkWeight(cache, twin, shape, variant.name, 'u8', i % 2 === 1);
    });
  }

  it('packedInputKernels pairs layer 0\'s shuffle kernels with their u8 twins only where the input allows', () => {
    const pair = ['denseForwardShuffle32x4', 'denseBackwardWeightShuffle32x8'] as const;
    expect(packedInputKernels(...pair, 784, true)).toEqual(
      { forward: 'denseForwardShuffle32x4U8', backwardWeight: 'denseBackwardWeightShuffle32x8U8' });
    expect(packedInputKernels(...pair, 68, true)?.forward).toBe('denseForwardShuffle32x4U8'); // rows of whole words
    expect(packedInputKernels(...pair, 784, false)).toBeUndefined(); // float32 features
    expect(packedInputKernels(...pair, 66, true)).toBeUndefined(); // rows that do not start on a word
    expect(packedInputKernels('denseForwardShuffle32x4', 'denseBackwardWeightVec4', 784, true)).toBeUndefined();
    expect(packedInputKernels('denseForwardTiled', 'denseBackwardWeightShuffle32x8', 784, true)).toBeUndefined();
  });

  it('takes a subgroup size only where it is one fixed power of two from 4 to 128 (the weight kernels step 2 rows)', () => {
    const subgroups = new Set(['subgroups']);
    const adapter = (min: number, max = min) => ({ ...gpu.info, subgroupMinSize: min, subgroupMaxSize: max });
    for (const size of [4, 8, 32, 128]) expect(fixedSubgroupSize(adapter(size), subgroups)).toBe(size);
    for (const size of [1, 2, 6, 12, 256]) expect(fixedSubgroupSize(adapter(size), subgroups)).toBeUndefined();
    expect(fixedSubgroupSize(adapter(8, 16), subgroups)).toBeUndefined();
    expect(fixedSubgroupSize(adapter(8), new Set())).toBeUndefined();
  });

  it('a variant without a subgroup size refuses to build the shuffle kernels', () => {
    expect(() => new PipelineCache(gpu.device, { ...VARIANTS.software, name: 'no-size', blocked: { forward: 'denseForwardShuffle16x2' } })
      .get('denseForwardShuffle16x2')).toThrow(/needs a variant with a fixed subgroup size/);
    expect(withSubgroups(VARIANTS.software, 8, 'denseForwardShuffle16x2').blocked?.forward).toBe('denseForwardShuffle16x2');
    // Trainers share pipeline caches by variant name: other kernels must not take the default's name.
    expect(withSubgroups(VARIANTS.software, 8, 'denseForwardShuffle16x2').name).not.toBe(withSubgroups(VARIANTS.software, 8).name);
  });
});

// Every variant the selection or the autotuner can produce: the static ones and each combination of candidates.
const COMBINATIONS: KernelVariant[] = [
  ...Object.values(VARIANTS),
  ...FORWARD_BLOCKS.flatMap((forward) => WEIGHT_BLOCKS.map((backwardWeight): KernelVariant => ({
    ...VARIANTS.software, name: `software-${forward}-${backwardWeight}`, blocked: { forward, backwardWeight },
  }))),
];

describe('each variant as a whole on the awkward shapes (forward and weight-gradient kernels it selects)', () => {
  // Pipelines depend on a variant's workgroup shape only, so variants of one shape share a cache (fewer compilations,
  // which SwiftShader makes slow).
  const caches = new Map<string, PipelineCache>();
  for (const variant of COMBINATIONS) {
    it(variant.name, async () => {
      const shape = `${variant.gemmCols}×${variant.gemmRows}×${variant.linear}`;
      let cache = caches.get(shape);
      if (!cache) caches.set(shape, (cache = new PipelineCache(gpu.device, variant)));
      for (const [B, I, O] of AWKWARD) {
        // Offsets as param_layout.ts gives them: 4-aligned.
        await checkForward(cache, gemmKernel('forward', I, [8], variant), [B, I, O], variant.name);
        await checkWeight(cache, gemmKernel('backwardWeight', I, [12], variant, O), [B, I, O], variant.name);
      }
    });
  }
});

describe('autotune', () => {
  it('picks candidates of the kernel table, once per adapter and shapes', async () => {
    const shapes = [{ batch: 16, inFeatures: 64, outFeatures: 32 }, { batch: 16, inFeatures: 32, outFeatures: 10 }];
    const first = autotuneVariant(gpu.device, shapes, 1);
    expect(autotuneVariant(gpu.device, shapes, 1)).toBe(first);
    const v = await first;
    // The shuffle kernels compete where the device has a fixed subgroup size (both test drivers do).
    expect([...FORWARD_BLOCKS, ...(v.subgroupSize ? FORWARD_SHUFFLES : [])]).toContain(v.blocked?.forward);
    expect([...WEIGHT_BLOCKS, ...(v.subgroupSize ? WEIGHT_SHUFFLES : [])]).toContain(v.blocked?.backwardWeight);
    // The tuned kernels are what the layers run (rows of whole vec4s: the tiled forward never takes over).
    expect(gemmKernel('forward', 64, [0], v, 32)).toBe(v.blocked?.forward);
    expect(gemmKernel('backwardWeight', 64, [0], v, 32)).toBe(v.blocked?.backwardWeight);
  });

  it('names a bad shape', () => {
    expect(() => autotuneVariant(gpu.device, [{ batch: 0, inFeatures: 4, outFeatures: 4 }])).toThrow(/batch must be a positive integer, got 0/);
  });
});
