// The WebGPU engine in the page: one device for the whole sweep, one trainer per run.
import { acquireDevice, type AcquiredDevice } from '../gpu/device';
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
    return { unavailable: `WebGPU is present but gave no device: ${(error as Error).message}` };
  }
}
