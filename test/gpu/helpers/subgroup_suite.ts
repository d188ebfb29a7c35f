// The common setup of the subgroup kernels' test files: this process's device, the driver's subgroup variant, a
// pipeline cache of it, and an error log printed at the end.
import { afterAll, beforeAll } from 'vitest';
import { subgroupVariant, type KernelVariant } from '../../../src/gpu/kernel_variants';
import { PipelineCache } from '../../../src/gpu/pipeline_cache';
import type { NodeGpu } from '../../../src/node/webgpu_node';
import { driverName, testGpu } from './gpu_device';
import { ErrorLog } from './random';

export interface SubgroupSuite {
  gpu: NodeGpu;
  variant: KernelVariant;
  cache: PipelineCache;
  log: ErrorLog;
}

/** Registers the suite's beforeAll and afterAll; its fields are set once beforeAll has run. */
export function subgroupSuite(): SubgroupSuite {
  const suite = { log: new ErrorLog() } as SubgroupSuite;
  beforeAll(async () => {
    suite.gpu = await testGpu();
    // Both test drivers have fixed-size subgroups (lavapipe 8 lanes, SwiftShader 4; NVIDIA 32): without them this is a failure.
    const variant = subgroupVariant(suite.gpu.info, suite.gpu.device.features);
    if (!variant) throw new Error(`${driverName(suite.gpu.info)} has no fixed subgroup size: lavapipe ≥ 25 and SwiftShader both report one`);
    suite.variant = variant;
    suite.cache = new PipelineCache(suite.gpu.device, suite.variant);
  });
  afterAll(() => {
    suite.log.print(driverName(suite.gpu.info));
    suite.gpu.destroy();
  });
  return suite;
}
