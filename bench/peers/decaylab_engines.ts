// Builds a decaylab Trainer for the bench workload: the paper's SGD with PyTorch-style decay on every parameter.
import { defaultOptimizer } from '../../src/core/optimizer';
import type { Trainer, TrainerConfig } from '../../src/core/trainer';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { createGpuTrainer } from '../../src/gpu/gpu_trainer';
import { selectVariant } from '../../src/gpu/kernel_variants';
import { createNodeGpu } from '../../src/node/webgpu_node';
import type { Workload } from '../workload';

/** 'gpu-dense': the GPU engine reading every input word of every batch (GpuTrainerOptions.skipZeroInputWords off). */
export type BenchEngine = 'cpu' | 'gpu' | 'gpu-dense';

export function isEngine(s: string): s is BenchEngine {
  return s === 'cpu' || s === 'gpu' || s === 'gpu-dense';
}

/** The report row's system name of an engine (systems.ts NAMES has the same for rows without a result). */
export function engineSystemName(engine: BenchEngine): string {
  return engine === 'gpu-dense' ? 'decaylab GPU, dense input' : `decaylab ${engine.toUpperCase()}`;
}

export function benchTrainerConfig(w: Workload): TrainerConfig {
  return {
    spec: { inputSize: 784, hidden: [w.hidden], classes: 10 },
    optimizer: defaultOptimizer('sgd', { lr: w.lr }),
    // `coupled` is PyTorch's SGD(weight_decay=wd), applied to biases too as torch does with model.parameters().
    decay: { mode: 'coupled', coefficient: w.weightDecay, decayBiases: true },
    seed: w.seed,
  };
}

export interface BenchTrainer {
  trainer: Trainer;
  description: string;
  /** Frees what the trainer was built on (the Dawn device); call after trainer.destroy(). */
  release: () => void;
}

export async function createBenchTrainer(engine: BenchEngine, w: Workload): Promise<BenchTrainer> {
  const config = benchTrainerConfig(w);
  if (engine === 'cpu') {
    return { trainer: createCpuTrainer(config), description: `Float32 CPU engine, Node ${process.version}`, release: () => {} };
  }
  const gpu = await createNodeGpu();
  try {
    const trainer = await createGpuTrainer(gpu.device, config, { skipZeroInputWords: engine === 'gpu' });
    const info = gpu.info;
    const adapter = `${info.vendor} ${info.architecture} ${info.description}`.replace(/\s+/g, ' ').trim();
    return {
      trainer,
      // Until this runs, `gpu` keeps Dawn's objects referenced (Dawn crashes when they are collected).
      release: () => gpu.destroy(),
      description: `GPU engine, ${selectVariant(info, gpu.device.features).name} kernels${engine === 'gpu' ? '' : ', every input word read'}, Dawn on ${adapter}`,
    };
  } catch (e) {
    gpu.destroy();
    throw e;
  }
}

