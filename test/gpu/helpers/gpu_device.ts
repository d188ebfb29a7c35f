// The GPU tests' device: real Dawn on the system's Vulkan driver. Fails (never skips) when no adapter is found.
import { createNodeGpu, type NodeGpu } from '../../../src/node/webgpu_node';
import { NO_ADAPTER_HELP } from '../../../src/gpu/device';

export async function testGpu(): Promise<NodeGpu> {
  try {
    return await createNodeGpu();
  } catch (e) {
    throw new Error(
      `GPU tests need a WebGPU adapter: ${(e as Error).message}\n${NO_ADAPTER_HELP}\n` +
        'Without a GPU: sed -i "s/^Suites: bookworm bookworm-updates$/Suites: bookworm bookworm-updates bookworm-backports/" ' +
        '/etc/apt/sources.list.d/debian.sources && apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers',
    );
  }
}

/** A short name of the driver for the logged error summaries (lavapipe or SwiftShader). */
export function driverName(info: GPUAdapterInfo): string {
  return `${info.vendor}/${info.architecture}`;
}
