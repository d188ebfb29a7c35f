// The WebGPU engine in the page: one device for the whole sweep, one trainer per run.
import { acquireDevice, NO_ADAPTER_HELP, type AcquiredDevice } from '../gpu/device';
import { createGpuTrainer } from '../gpu/gpu_trainer';
import type { TrainerFactory } from './sweep_runner';

export interface PageGpu {
  acquired: AcquiredDevice;
  createTrainer: TrainerFactory;
}

/** The page's GPU engine, or the reason this browser has none (the page then offers the edge). */
export async function pageGpu(): Promise<PageGpu | { unavailable: string }> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    return { unavailable: 'This browser does not offer WebGPU (navigator.gpu is missing).' };
  }
  try {
    const acquired = await acquireDevice(navigator.gpu);
    return { acquired, createTrainer: (config) => createGpuTrainer(acquired.device, config) };
  } catch (error) {
    const message = (error as Error).message;
    // The engine's own help speaks of Node and Vulkan drivers; in a browser the usual cause is a blocked or absent GPU.
    if (message === NO_ADAPTER_HELP) {
      return { unavailable: 'This browser has WebGPU but found no usable GPU adapter (the GPU may be blocked, disabled or without a driver).' };
    }
    return { unavailable: `WebGPU is present but gave no device: ${message}` };
  }
}
