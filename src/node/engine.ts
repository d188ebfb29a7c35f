// Picks the engine a command trains on: the GPU engine where it is the faster (gpuEngineFits), else the CPU engine.
import type { Trainer, TrainerConfig, EngineKind } from '../core/trainer';
import { createCpuTrainer } from '../cpu/cpu_trainer';
import type { BatchedTrainer } from '../train/lockstep';
import { createGpuEngine, type GpuEngineOptions } from './gpu_engine';

export interface Engine {
  kind: EngineKind;
  /** Adapter description for logs and results. */
  description: string;
  /** `batchSize`: the training batch, for engines that choose kernels by it (`--autotune`). */
  createTrainer(config: TrainerConfig, batchSize?: number): Promise<Trainer>;
  /** Engines that can train several models of one shape in the same dispatches (a λ sweep): at most maxBatch. */
  createBatch?(configs: TrainerConfig[], batchSize?: number): Promise<BatchedTrainer>;
  maxBatch?: number;
  /** A CPU Vulkan driver (lavapipe, SwiftShader) stands behind the GPU engine. */
  software?: boolean;
  /** That driver is lavapipe with fixed-size subgroups, so the engine runs its subgroup-shuffle kernels there. */
  lavapipeSubgroups?: boolean;
  close(): void;
}

export function cpuEngine(): Engine {
  return { kind: 'cpu', description: 'CPU engine (float32, single thread)', createTrainer: async (c) => createCpuTrainer(c), close: () => {} };
}

/** What the command will train: batchedRuns models in the same dispatches (a λ sweep), or 1. */
export interface EngineWorkload {
  batchedRuns: number;
}

/**
 * Whether a command that did not ask for an engine trains on the GPU engine, given its adapter. A hardware adapter:
 * always. A software one: only a batched sweep of 2 or more runs on lavapipe with the subgroup kernels. Measured
 * there (2-core machine, the README's main job: 5 coefficients, 784-1024-10, 10 epochs): GPU engine 40–41 s with
 * Mesa's shader cache, 72–83 s without it (the first run on a machine compiles the kernels), CPU engine 87–93 s. A
 * single run of the paper's example is faster on the GPU engine once its kernels are compiled (`npm run bench`: 0.50
 * vs 2.19 ms/step with the fused steps of fused_steps.ts), but a machine's first run compiles them for ~35 s, which a
 * single run pays back only after some 20,000 steps; the CPU engine needs one core and no compilation. Other CPU drivers (SwiftShader) and lavapipe without
 * subgroups were not measured faster.
 */
export function gpuEngineFits(gpu: Pick<Engine, 'software' | 'lavapipeSubgroups'>, workload: EngineWorkload): boolean {
  if (!gpu.software) return true;
  return Boolean(gpu.lavapipeSubgroups) && workload.batchedRuns >= 2;
}

/**
 * `requested` undefined: the GPU engine where gpuEngineFits, else the CPU engine, with a note on stderr (also when
 * there is no adapter). `gpu` always uses the adapter, and fails with how to get one when there is none.
 */
export async function openEngine(
  requested: EngineKind | undefined, log: (line: string) => void, workload: EngineWorkload = { batchedRuns: 1 },
  options: GpuEngineOptions = {},
): Promise<Engine> {
  if (requested === 'cpu') return cpuEngine();
  let gpu: Engine;
  try {
    gpu = await createGpuEngine(options);
  } catch (e) {
    if (requested === 'gpu') throw e;
    log(`note: no WebGPU engine (${(e as Error).message.split('\n')[0]}); training on the CPU engine`);
    return cpuEngine();
  }
  if (requested === undefined && !gpuEngineFits(gpu, workload)) {
    log(`note: the WebGPU adapter is a software renderer (${gpu.description}); for ${workload.batchedRuns === 1 ? 'a single run' : 'this workload'} the CPU engine is about as fast here on one core and compiles no kernels, so it trains. --engine gpu uses the adapter anyway`);
    gpu.close();
    return cpuEngine();
  }
  if (requested === undefined && gpu.software) {
    log(`note: the WebGPU adapter is a software renderer (${gpu.description}); ${workload.batchedRuns} runs train batched on it, faster than on the CPU engine here (--engine cpu to use that)`);
  }
  return gpu;
}
