// The variant whose layer 0 reads packed uint8 words (and skips a batch's zero words): the subgroup-shuffle kernels'.
// It is the CPU drivers' static choice; a real GPU with one fixed subgroup size (NVIDIA: 32 lanes) keeps the 'hardware'
// variant by default, so the tests of that path ask for this one to run it there too.
import { selectVariant, subgroupVariant, type KernelVariant } from '../../../src/gpu/kernel_variants';
import type { NodeGpu } from '../../../src/node/webgpu_node';

export function u8InputVariant(gpu: NodeGpu): KernelVariant {
  return subgroupVariant(gpu.info, gpu.device.features) ?? selectVariant(gpu.info, gpu.device.features);
}
