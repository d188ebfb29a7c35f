// The WebGPU engine in the page: one device for the whole sweep, one trainer per run.
import { acquireDevice, type AcquiredDevice } from '../gpu/device';
import type { Trainer, TrainerConfig } from '../core/trainer';
import type { TrainerFactory } from './sweep_runner';

export interface PageGpu {
  acquired: AcquiredDevice;
  createTrainer: TrainerFactory;
}

/** Null with the reason when this browser has no usable WebGPU (the page then offers the edge). */
export async function pageGpu(): Promise<PageGpu | { unavailable: string }> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    return { unavailable: 'This browser does not offer WebGPU (navigator.gpu is missing).' };
  }
  try {
    const acquired = await acquireDevice(navigator.gpu);
    const createGpuTrainer = await loadGpuTrainer();
    return { acquired, createTrainer: (config) => createGpuTrainer(acquired.device, config) };
  } catch (error) {
    return { unavailable: `WebGPU is present but gave no device: ${(error as Error).message}` };
  }
}

type CreateGpuTrainer = (device: GPUDevice, config: TrainerConfig) => Promise<Trainer>;

// TEMPORARY until src/gpu/gpu_trainer.ts lands: a glob import builds whether or not the file exists yet.
async function loadGpuTrainer(): Promise<CreateGpuTrainer> {
  const modules = import.meta.glob<{ createGpuTrainer: CreateGpuTrainer }>('../gpu/gpu_trainer.ts');
  const load = modules['../gpu/gpu_trainer.ts'];
  if (!load) throw new Error('this build has no GPU trainer (src/gpu/gpu_trainer.ts)');
  return (await load()).createGpuTrainer;
}
