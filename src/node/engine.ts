// Picks the engine a command trains on: the GPU engine when a WebGPU adapter is found, else the CPU engine.
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
  close(): void;
}

export function cpuEngine(): Engine {
  return { kind: 'cpu', description: 'CPU engine (float32, single thread)', createTrainer: async (c) => createCpuTrainer(c), close: () => {} };
}

/** `requested` undefined: GPU if available, else CPU with a note on stderr. `gpu` fails with how to get an adapter. */
export async function openEngine(requested: EngineKind | undefined, log: (line: string) => void): Promise<Engine> {
  if (requested === 'cpu') return cpuEngine();
  try {
    return await createGpuEngine();
  } catch (e) {
    if (requested === 'gpu') throw e;
    log(`note: no WebGPU engine (${(e as Error).message.split('\n')[0]}); training on the CPU engine`);
    return cpuEngine();
  }
}
