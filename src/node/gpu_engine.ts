// The GPU engine for Node: one Dawn device per command, one GPU trainer per run on it, or one GpuSweep per group of a batched sweep.
import { createGpuSweep, MAX_SWEEP_MODELS } from '../gpu/gpu_sweep';
import { createGpuTrainer } from '../gpu/gpu_trainer';
import { isSoftwareAdapter, selectVariant } from '../gpu/kernel_variants';
import type { Engine } from './engine';
import { createNodeGpu } from './webgpu_node';

export async function createGpuEngine(): Promise<Engine> {
  const gpu = await createNodeGpu();
  const info = gpu.info;
  return {
    kind: 'gpu',
    description: `GPU engine on ${info.vendor || 'unknown vendor'} ${info.architecture || ''} ${info.description || info.device || ''}`.replace(/\s+/g, ' ').trim(),
    createTrainer: (config) => createGpuTrainer(gpu.device, config),
    createBatch: (configs) => createGpuSweep(gpu.device, configs),
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
