// The GPU engine for Node: one Dawn device per command, one GPU trainer per run on it, or one GpuSweep per group of a batched sweep.
// With a variant cache (`--autotune`) the GEMM kernels are the ones timed fastest for the model and batch size on this
// adapter (variant_cache.ts); without, the static choice of kernel_variants.ts.
import { createGpuSweep, MAX_SWEEP_MODELS } from '../gpu/gpu_sweep';
import { createGpuTrainer } from '../gpu/gpu_trainer';
import type { ModelSpec } from '../core/spec';
import { isSoftwareAdapter, selectVariant, type KernelVariant } from '../gpu/kernel_variants';
import type { Engine } from './engine';
import type { VariantCache } from './variant_cache';
import { createNodeGpu } from './webgpu_node';

export interface GpuEngineOptions {
  variantCache?: VariantCache;
}

export async function createGpuEngine(options: GpuEngineOptions = {}): Promise<Engine> {
  const gpu = await createNodeGpu();
  const info = gpu.info;
  const { variantCache } = options;
  const variantFor = async (spec: ModelSpec, batchSize: number | undefined): Promise<KernelVariant | undefined> =>
    variantCache && batchSize !== undefined ? variantCache.variantFor(gpu.device, spec, batchSize) : undefined;
  return {
    kind: 'gpu',
    description: `GPU engine on ${info.vendor || 'unknown vendor'} ${info.architecture || ''} ${info.description || info.device || ''}`.replace(/\s+/g, ' ').trim(),
    createTrainer: async (config, batchSize) => createGpuTrainer(gpu.device, config, { variant: await variantFor(config.spec, batchSize) }),
    createBatch: async (configs, batchSize) => createGpuSweep(gpu.device, configs, { variant: await variantFor(configs[0].spec, batchSize) }),
    maxBatch: MAX_SWEEP_MODELS,
    software: isSoftwareAdapter(info),
    lavapipeSubgroups: isLavapipe(info) && selectVariant(info, gpu.device.features).subgroupSize !== undefined,
    close: () => gpu.destroy(),
  };
}

/** Mesa's lavapipe (llvmpipe), the CPU driver the engine's speed on a software adapter was measured on. */
function isLavapipe(info: GPUAdapterInfo): boolean {
  return /llvmpipe|lavapipe/i.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
}
