// Picks the engine a command trains on: the GPU engine on a hardware WebGPU adapter, else the CPU engine.
import type { Trainer, TrainerConfig, EngineKind } from '../core/trainer';
import { createCpuTrainer } from '../cpu/cpu_trainer';
import type { BatchedTrainer } from '../train/lockstep';
import { createGpuEngine } from './gpu_engine';

export interface Engine {
  kind: EngineKind;
  /** Adapter description for logs and results. */
  description: string;
  createTrainer(config: TrainerConfig): Promise<Trainer>;
  /** Engines that can train several models of one shape in the same dispatches (a λ sweep): at most maxBatch. */
  createBatch?(configs: TrainerConfig[]): Promise<BatchedTrainer>;
  maxBatch?: number;
  /** A CPU Vulkan driver (lavapipe, SwiftShader) stands behind the GPU engine. */
  software?: boolean;
  close(): void;
}

export function cpuEngine(): Engine {
  return { kind: 'cpu', description: 'CPU engine (float32, single thread)', createTrainer: async (c) => createCpuTrainer(c), close: () => {} };
}

/**
 * `requested` undefined: the GPU engine on a hardware adapter; the CPU engine when there is no adapter or only a
 * software one (on lavapipe `npm run bench` measured the CPU engine nearly as fast on one core as the GPU engine on
 * both: 1.98 vs 1.78 ms/step, 2.0 vs 2.8 ms of CPU time per step, and the GPU engine first compiles its kernels,
 * ~20 s on a machine without Mesa's disk cache), with a note
 * on stderr. `gpu` always uses the adapter, and fails with how to get one when there is none.
 */
export async function openEngine(requested: EngineKind | undefined, log: (line: string) => void): Promise<Engine> {
  if (requested === 'cpu') return cpuEngine();
  let gpu: Engine;
  try {
    gpu = await createGpuEngine();
  } catch (e) {
    if (requested === 'gpu') throw e;
    log(`note: no WebGPU engine (${(e as Error).message.split('\n')[0]}); training on the CPU engine`);
    return cpuEngine();
  }
  if (requested === undefined && gpu.software) {
    log(`note: the WebGPU adapter is a software renderer (${gpu.description}); the CPU engine is nearly as fast here on one core and compiles no kernels, so it trains. --engine gpu uses the adapter anyway`);
    gpu.close();
    return cpuEngine();
  }
  return gpu;
}
