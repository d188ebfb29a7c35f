// Device acquisition from a `GPU` object (browser navigator.gpu, or the `webgpu` package in Node).

export const NO_ADAPTER_HELP =
  'No WebGPU adapter was found. On a Linux machine without a GPU install Mesa lavapipe ≥ 24 ' +
  '(Debian 12: `mesa-vulkan-drivers` from bookworm-backports, see ENVIRONMENT.md); on a machine with a GPU install its ' +
  'Vulkan/Metal/D3D12 driver; in a browser enable WebGPU.';

export interface AcquiredDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  info: GPUAdapterInfo;
}

/** Requests an adapter and a device with the adapter's storage limits; throws NO_ADAPTER_HELP when there is none. */
export async function acquireDevice(gpu: GPU | undefined, options: GPURequestAdapterOptions = {}): Promise<AcquiredDevice> {
  if (!gpu) throw new Error(`WebGPU is not available in this runtime (no navigator.gpu). ${NO_ADAPTER_HELP}`);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance', ...options });
  if (!adapter) throw new Error(NO_ADAPTER_HELP);
  const want = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize'] as const;
  const requiredLimits: Record<string, number> = {};
  for (const name of want) requiredLimits[name] = adapter.limits[name];
  // Subgroups let CPU drivers share loaded rows between lanes (kernel_variants.ts); harmless where unused.
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('subgroups') ? ['subgroups'] : [];
  const device = await adapter.requestDevice({ label: 'decaylab', requiredLimits, requiredFeatures });
  // A validation error outside an error scope would otherwise pass silently and leave wrong numbers behind.
  device.onuncapturederror = (e) => console.error(`decaylab: WebGPU error: ${e.error.message}`);
  device.lost.then((info) => {
    if (info.reason !== 'destroyed') console.error(`decaylab: WebGPU device lost (${info.reason}): ${info.message}`);
  });
  return { adapter, device, info: adapter.info };
}
