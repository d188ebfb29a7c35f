// The fused training step (src/gpu/fused_steps.ts): a chunk's steps as one persistent dispatch whose workgroups run
// the step's dispatches as stages. Each stage is its kernel's own source, so a fused trainer must give the same bits as
// the one dispatching them separately — params, momentum, losses, metrics — for the paper's network on MNIST digits,
// with and without momentum, a batched sweep, chunks shorter than the plan's capacity, and any number of workgroups
// (one, and more than the driver's threads, which leaves ranges of items empty). Bitwise
// equality is the right bar here: the two paths run the same f32 operations in the same order, so any difference is
// a stage reading data another stage has not finished (a missing wait) or a wrong rename, not rounding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataset, type Dataset } from '../../src/core/dataset';
import { defaultOptimizer } from '../../src/core/optimizer';
import type { ModelParams } from '../../src/core/params';
import type { TrainerConfig } from '../../src/core/trainer';
import { fusedStepsSource, gridWords, limitsReason, MAX_FUSED_STAGES, type FusedStage } from '../../src/gpu/fused_steps';
import { createGpuSweep } from '../../src/gpu/gpu_sweep';
import { createGpuTrainer } from '../../src/gpu/gpu_trainer';
import { selectVariant, type KernelVariant } from '../../src/gpu/kernel_variants';
import { loadMnist } from '../../src/node/load_data';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { testGpu } from './helpers/gpu_device';
import { randomChunk } from './helpers/synthetic';

const COUNT = 300;
let gpu: NodeGpu;
let digits: Dataset;
let fused: KernelVariant;
beforeAll(async () => {
  gpu = await testGpu();
  const train = loadMnist().train;
  digits = makeDataset(train.features.slice(0, COUNT * 784), train.labels.slice(0, COUNT), 784, 10);
  fused = selectVariant(gpu.info, gpu.device.features);
});
afterAll(() => gpu.destroy());

const flat = (p: ModelParams): number[] => p.flatMap((l) => [...l.weight, ...l.bias]);
const separate = (v: KernelVariant): KernelVariant => ({ ...v, fusedSteps: false });

/** dispatchWorkgroups calls made while `run` runs (the real Dawn encoder's, counted). */
async function countDispatches<T>(run: () => Promise<T>): Promise<[T, number]> {
  const proto = GPUComputePassEncoder.prototype;
  const original = proto.dispatchWorkgroups;
  let calls = 0;
  proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args: Parameters<typeof original>) {
    calls++;
    return original.apply(this, args);
  };
  try {
    return [await run(), calls];
  } finally {
    proto.dispatchWorkgroups = original;
  }
}

function config(hidden: number[], momentum: number, seed: number): TrainerConfig {
  return {
    spec: { inputSize: 784, hidden, classes: 10 }, optimizer: defaultOptimizer('sgd', { lr: 0.05, momentum }),
    decay: { mode: 'coupled', coefficient: 1e-3, decayBiases: false }, seed,
  };
}

/** dispatchWorkgroups calls of trainers of `variant` (fused or not) for a chunk of `steps` steps of the network. */
async function dispatchesPerChunk(variant: KernelVariant, hidden: number[], steps: number): Promise<number> {
  const t = await createGpuTrainer(gpu.device, config(hidden, 0, 1), { variant });
  const h = await t.addDataset(digits);
  await t.train(h, randomChunk(COUNT, 2, 64, 0.05, 4)); // builds and compiles outside the count
  const [result, calls] = await countDispatches(() => t.train(h, randomChunk(COUNT, steps, 64, 0.05, 5)));
  expect(result.stepLosses.every(Number.isFinite)).toBe(true);
  t.destroy();
  return calls;
}

describe('the fused training step', () => {
  // How many dispatches the paper's step takes apart on this driver: 3 on lavapipe (8 lanes), more on SwiftShader
  // (4 lanes leave the classifier head kernel too few registers), where nothing fuses and the tests of the fused
  // kernel's results skip (they would compare the separate path with itself).
  let paperStep = 0;
  beforeAll(async () => {
    if (fused.fusedSteps) paperStep = await dispatchesPerChunk(separate(fused), [128], 1);
  });
  const fuses = () => fused.fusedSteps === true && paperStep <= MAX_FUSED_STAGES;

  it('is the CPU drivers\' default: one dispatch per chunk for the paper\'s step', async (ctx) => {
    if (!fused.fusedSteps) ctx.skip(); // a real GPU keeps separate dispatches by design (kernel_variants.ts)
    expect(paperStep).toBeGreaterThan(1);
    const [together, apart] = [await dispatchesPerChunk(fused, [128], 20), await dispatchesPerChunk(separate(fused), [128], 20)];
    expect(apart).toBe(20 * paperStep);
    expect(together).toBe(paperStep <= MAX_FUSED_STAGES ? 1 : apart);
  });

  it('leaves a deeper network\'s dispatches separate (MAX_FUSED_STAGES says why)', async (ctx) => {
    if (!fused.fusedSteps) ctx.skip();
    const apart = await dispatchesPerChunk(separate(fused), [128, 16], 10);
    expect(apart / 10).toBeGreaterThan(MAX_FUSED_STAGES);
    expect(await dispatchesPerChunk(fused, [128, 16], 10)).toBe(apart);
  });

  // One fused kernel serves all these runs: batch sizes, workgroups and sweep sizes are data, not code.
  const runs: { name: string; hidden: number[]; momentum: number; batch: number; workgroups?: number }[] = [
    { name: 'the paper\'s 784-128-10, batches of 64', hidden: [128], momentum: 0, batch: 64 },
    { name: '784-128-10 with momentum, batches of 16, 5 workgroups', hidden: [128], momentum: 0.9, batch: 16, workgroups: 5 },
    { name: '784-128-10, batches of 32, 1 workgroup', hidden: [128], momentum: 0, batch: 32, workgroups: 1 },
  ];
  for (const { name, hidden, momentum, batch, workgroups } of runs) {
    it(`gives the separate dispatches' bits: ${name}, chunks of 40 and 7 steps`, async (ctx) => {
      if (!fuses()) ctx.skip();
      const variant = { ...fused, fusedWorkgroups: workgroups };
      const trainers = [await createGpuTrainer(gpu.device, config(hidden, momentum, 2), { variant }),
        await createGpuTrainer(gpu.device, config(hidden, momentum, 2), { variant: separate(variant) })];
      const handles = await Promise.all(trainers.map((t) => t.addDataset(digits)));
      for (const [steps, seed] of [[40, 11], [7, 12]]) {
        const chunk = randomChunk(COUNT, steps, batch, 0.05, seed);
        const [a, b] = await Promise.all(trainers.map((t, i) => t.train(handles[i], chunk)));
        expect(Array.from(a.stepLosses)).toEqual(Array.from(b.stepLosses));
        expect(a.correct).toBe(b.correct);
      }
      const [pa, pb] = await Promise.all(trainers.map((t) => t.getParams()));
      expect(flat(pa)).toEqual(flat(pb));
      // Momentum buffers too: the next chunk's steps read them.
      const [sa, sb] = await Promise.all(trainers.map((t) => t.getState()));
      expect(sa.optimizer).toEqual(sb.optimizer);
      // And training went somewhere: the losses of the last chunk are below the first step's.
      const last = await trainers[0].train(handles[0], randomChunk(COUNT, 10, batch, 0.05, 13));
      expect(last.stepLosses[9]).toBeLessThan(2.3);
      for (const t of trainers) t.destroy();
    });
  }

  it('gives the separate dispatches\' bits for a batched sweep of 3 models', async (ctx) => {
    if (!fuses()) ctx.skip();
    const configs = [1e-4, 1e-3, 1e-2].map((c, m): TrainerConfig => ({ ...config([128], 0, 3 + m), decay: { mode: 'coupled', coefficient: c, decayBiases: false } }));
    const sweeps = [await createGpuSweep(gpu.device, configs, { variant: fused }), await createGpuSweep(gpu.device, configs, { variant: separate(fused) })];
    const handles = await Promise.all(sweeps.map((s) => s.addDataset(digits)));
    const chunk = randomChunk(COUNT, 25, 64, 0.05, 14);
    const [a, b] = await Promise.all(sweeps.map((s, i) => s.train(handles[i], chunk)));
    a.forEach((r, m) => expect(Array.from(r.stepLosses)).toEqual(Array.from(b[m].stepLosses)));
    const [ta, tb] = sweeps.map((s) => s.trainers());
    for (let m = 0; m < 3; m++) expect(flat(await ta[m].getParams())).toEqual(flat(await tb[m].getParams()));
    for (const s of sweeps) s.destroy();
  });
});

describe('fusedStepsSource', () => {
  // Buffers stand for themselves: the generator only tells them apart.
  const buffer = (label: string) => ({ label }) as unknown as GPUBuffer;
  const [dims0, dims1, acts, params] = ['dims0', 'dims1', 'acts', 'params'].map(buffer);
  const stage = (name: string, source: string, resources: GPUBuffer[], affinity: FusedStage['affinity'] = 'none'): FusedStage =>
    ({ name, source, constants: { N: 3 }, resources, grid: [2, 1, 1], affinity });
  const writer = stage('writer', `struct Dims { n: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read_write> y: array<f32>; // written as floats
override SG: u32 = 8u;
override N: u32;
@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  y[wid.x * SG + lane] = f32(N + dims.n);
}`, [dims0, acts], 'x');
  const reader = stage('reader', `struct Dims { m: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> params: array<vec4f>;
override SG: u32 = 8u;
@compute @workgroup_size(SG)
fn main(@builtin(subgroup_invocation_id) lane: u32) {
  storageBarrier();
  params[lane] = x[lane] * f32(dims.m);
}`, [dims1, acts, params]);

  it('binds each buffer once, read_write where any stage writes it, as vec4s where another stage reads vec4s', () => {
    const { code, bindings } = fusedStepsSource([writer, reader], 8);
    expect(bindings.map((b) => [(b.resource as unknown as { label: string }).label, b.type, b.wgslType])).toEqual([
      ['dims0', 'uniform', 'Dims_0'], ['acts', 'storage', 'array<vec4f>'], ['dims1', 'uniform', 'Dims_1'], ['params', 'storage', 'array<vec4f>'],
    ]);
    // The float stores become component stores of the vec4 view; names are the merged bindings' and the stage's own.
    expect(code).toContain('binding1[(wid.x * SG_0 + lane) / 4u][(wid.x * SG_0 + lane) % 4u] = f32(N_0 + binding0.n);');
    expect(code).toContain('binding3[lane] = binding1[lane] * f32(binding2.m);');
    expect(code).toContain('const N_0: u32 = 3u;');
    expect(code).toContain('fn main_1(unusedWid1: vec3u, lane: u32) {');
    expect(code).not.toContain('storageBarrier');
    expect(code).toContain('runStage1(first + 1u * stride, fusedGrids[1], workgroups, wg.x, lane);');
    // Items of the writer split along x into the workgroups' ranges, the reader's in one.
    expect(Array.from(gridWords([writer, reader]))).toEqual([2, 1, 1, 0, 2, 1, 1, 2]);
  });

  it('says when the fused kernel needs more buffers than the device allows (a browser allows fewer than Node\'s Dawn)', () => {
    const { bindings } = fusedStepsSource([writer, reader], 8);
    const limits = (storage: number, uniform: number) =>
      ({ maxStorageBuffersPerShaderStage: storage, maxUniformBuffersPerShaderStage: uniform }) as GPUSupportedLimits;
    // 2 storage bindings and the sync buffer; 2 uniform bindings and the grids.
    expect(limitsReason(bindings, limits(3, 3))).toBeUndefined();
    expect(limitsReason(bindings, limits(2, 3))).toBe('3 storage buffers (the device allows 2)');
    expect(limitsReason(bindings, limits(3, 2))).toBe('3 uniform buffers (the device allows 2)');
  });

  it('refuses what it cannot fuse, naming the stage', () => {
    const barrier = stage('barrier', writer.source.replace('y[wid.x', 'workgroupBarrier();\n  y[wid.x'), [dims0, acts]);
    expect(() => fusedStepsSource([barrier], 8)).toThrow(/barrier uses workgroup memory or barriers/);
    const builtin = stage('global', writer.source.replace('@builtin(workgroup_id) wid', '@builtin(global_invocation_id) wid'), [dims0, acts]);
    expect(() => fusedStepsSource([builtin], 8)).toThrow(/global reads @builtin\(global_invocation_id\)/);
    const u32Reader = stage('u32', reader.source.replace('x: array<vec4f>', 'x: array<u32>').replace('x[lane] *', 'f32(x[lane]) *'), [dims1, acts, params]);
    expect(() => fusedStepsSource([writer, u32Reader], 8)).toThrow(/one buffer bound as array<f32> and array<u32>/);
    const unset = stage('unset', writer.source, [dims0, acts]);
    expect(() => fusedStepsSource([{ ...unset, constants: {} }], 8)).toThrow(/unset leaves N unset/);
  });
});
