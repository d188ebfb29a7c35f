// WebGPU in Node through the `webgpu` package (Google's Dawn). Dawn crashes when the object returned by create() or
// the adapter is garbage-collected while a device lives (ENVIRONMENT.md), so both stay referenced until destroy().
import { create, globals } from 'webgpu';
import { acquireDevice, type AcquiredDevice } from '../gpu/device';

export interface NodeGpu extends AcquiredDevice {
  /** Destroys the device and releases the references that kept Dawn alive. */
  destroy(): void;
}

const alive = new Set<object>();

/** `dawnOptions` are passed to create(), e.g. ['enable-dawn-features=…']. Never 'backend=null' for real work. */
export async function createNodeGpu(dawnOptions: string[] = []): Promise<NodeGpu> {
  Object.assign(globalThis, globals);
  const gpu = create(dawnOptions);
  const acquired = await acquireDevice(gpu);
  const keep = { gpu, adapter: acquired.adapter };
  alive.add(keep);
  return {
    ...acquired,
    destroy(): void {
      acquired.device.destroy();
      alive.delete(keep);
    },
  };
}
