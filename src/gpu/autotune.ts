// Picks the register-blocked GEMM kernels of kernel_variants.ts by timing them on this device at the model's own
// layer shapes, once per (adapter, shapes) per process; the result is a plain KernelVariant, which a caller may persist
// and pass back as GpuTrainerOptions.variant. The static choice of selectVariant() is the fallback and the starting
// point. Timings take the best of a few interleaved rounds, since CPU drivers share their cores with everything else.
import { createStorageBuffer } from './buffers';
import { bindGroup, encodeDispatch, gemmGroups, makeDispatch, UniformArena, type Dispatch } from './dispatch';
import {
  FORWARD_BLOCKS, FORWARD_SHUFFLES, selectVariant, WEIGHT_BLOCKS, WEIGHT_SHUFFLES, type ForwardBlockKernel, type ForwardShuffleKernel,
  type KernelVariant, type WeightBlockKernel, type WeightShuffleKernel,
} from './kernel_variants';
import { PipelineCache } from './pipeline_cache';

export type ForwardKernel = ForwardBlockKernel | ForwardShuffleKernel;
export type WeightKernel = WeightBlockKernel | WeightShuffleKernel;

export interface GemmShape {
  batch: number;
  inFeatures: number;
  outFeatures: number;
}

const tuned = new WeakMap<GPUDevice, Map<string, Promise<KernelVariant>>>();

/** The variant for these layer shapes on this device, timed on first use and then cached in memory. */
export function autotuneVariant(device: GPUDevice, shapes: GemmShape[], rounds = 3): Promise<KernelVariant> {
  for (const s of shapes) {
    for (const [k, v] of Object.entries(s)) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`autotune shape ${k} must be a positive integer, got ${v}`);
    }
  }
  const key = tuningKey(device.adapterInfo, shapes);
  let byKey = tuned.get(device);
  if (!byKey) tuned.set(device, (byKey = new Map()));
  let result = byKey.get(key);
  if (!result) {
    result = tune(device, selectVariant(device.adapterInfo, device.features), shapes, rounds);
    byKey.set(key, result);
  }
  return result;
}

/** What a tuning holds for: one adapter (vendor, architecture, device, driver description) and these shapes. */
export function tuningKey(info: Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>, shapes: GemmShape[]): string {
  return `${info.vendor}|${info.architecture}|${info.device}|${info.description}|${shapes.map((s) => `${s.batch}x${s.inFeatures}x${s.outFeatures}`).join(',')}`;
}

async function tune(device: GPUDevice, base: KernelVariant, shapes: GemmShape[], rounds: number): Promise<KernelVariant> {
  const cache = new PipelineCache(device, base);
  const forwardShapes = shapes.filter((s) => s.inFeatures % 4 === 0);
  const weightShapes = forwardShapes.filter((s) => s.outFeatures % 4 === 0);
  const candidates = tuningCandidates(base);
  const forward = await fastest(device, cache, candidates.forward, forwardShapes, rounds, 'forward');
  const backwardWeight = await fastest(device, cache, candidates.backwardWeight, weightShapes, rounds, 'weight');
  return tunedVariant(base, forward ?? base.blocked?.forward, backwardWeight ?? base.blocked?.backwardWeight);
}

/** `base` with the GEMM kernels a tuning chose (a variant's name says its kernels: trainers share caches by name). */
export function tunedVariant(base: KernelVariant, forward: ForwardKernel | undefined, backwardWeight: WeightKernel | undefined): KernelVariant {
  return { ...base, name: `${base.name}-tuned-${forward}-${backwardWeight}`, blocked: { forward, backwardWeight } };
}

/**
 * The kernels a tuning may choose on a device whose static variant is `base`: the register blocks everywhere, the
 * subgroup-shuffle kernels where the variant has a fixed subgroup size.
 */
export function tuningCandidates(base: KernelVariant): { forward: readonly ForwardKernel[]; backwardWeight: readonly WeightKernel[] } {
  return {
    forward: base.subgroupSize ? [...FORWARD_BLOCKS, ...FORWARD_SHUFFLES] : FORWARD_BLOCKS,
    backwardWeight: base.subgroupSize ? [...WEIGHT_BLOCKS, ...WEIGHT_SHUFFLES] : WEIGHT_BLOCKS,
  };
}

async function fastest<K extends ForwardKernel | WeightKernel>(
  device: GPUDevice, cache: PipelineCache, candidates: readonly K[], shapes: GemmShape[], rounds: number, role: 'forward' | 'weight',
): Promise<K | undefined> {
  if (shapes.length === 0) return undefined;
  const buffers: GPUBuffer[] = [];
  const runs = candidates.map((name) => shapes.map((s) => dispatchFor(device, cache, name, s, role, buffers)));
  const best = candidates.map(() => Infinity);
  const submit = async (ds: Dispatch[]): Promise<void> => {
    const encoder = device.createCommandEncoder({ label: 'autotune' });
    const pass = encoder.beginComputePass();
    for (const d of ds) encodeDispatch(pass, d);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  for (const ds of runs) await submit(ds); // compile and warm
  for (let r = 0; r < rounds; r++) {
    for (const [i, ds] of runs.entries()) {
      const t0 = performance.now();
      await submit(ds);
      best[i] = Math.min(best[i], performance.now() - t0);
    }
  }
  for (const b of buffers) b.destroy();
  return candidates[best.indexOf(Math.min(...best))];
}

/** One dispatch of a candidate on zero-filled buffers of the shape (timing only: the values do not matter). */
function dispatchFor(
  device: GPUDevice, cache: PipelineCache, name: ForwardKernel | WeightKernel, s: GemmShape,
  role: 'forward' | 'weight', buffers: GPUBuffer[],
): Dispatch {
  const k = cache.get(name);
  const { batch: B, inFeatures: I, outFeatures: O } = s;
  const buf = (n: number): GPUBuffer => {
    const b = createStorageBuffer(device, n * 4, `autotune ${name}`);
    buffers.push(b);
    return b;
  };
  const arena = new UniformArena(device, `autotune ${name}`);
  if (role === 'forward') {
    const dims = arena.add(k, { batch: B, inFeatures: I, outFeatures: O, relu: 0, wOffset: 0, bOffset: O * I });
    buffers.push(arena.finish());
    return makeDispatch(k, bindGroup(device, k, [dims(), buf(B * I), buf(O * I + O), buf(B * O)]), gemmGroups(k, B, O));
  }
  const dims = arena.add(k, { batch: B, inFeatures: I, outFeatures: O, dwOffset: 0 });
  buffers.push(arena.finish());
  return makeDispatch(k, bindGroup(device, k, [dims(), buf(B * O), buf(B * I), buf(O * I)]), gemmGroups(k, O, I));
}
