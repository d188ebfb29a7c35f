// WebGPU in Node through the `webgpu` package (Google's Dawn). Dawn crashes when the object returned by create() or
// the adapter is garbage-collected while a device lives (ENVIRONMENT.md), so both stay referenced until destroy().
// Its device waits for the GPU with Dawn's polling throttled (dawn_poll_throttle.ts).
import { create, globals } from 'webgpu';
import { acquireDevice, type AcquiredDevice } from '../gpu/device';
import { setGpuWaiter } from '../gpu/idle_wait';
import { throttledDawnWait } from './dawn_poll_throttle';

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
  setGpuWaiter(acquired.device, throttledDawnWait);
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
