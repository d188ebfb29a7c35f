// Builds a decaylab Trainer for the bench workload: the paper's SGD with PyTorch-style decay on every parameter.
import { defaultOptimizer } from '../../src/core/optimizer';
import type { Trainer, TrainerConfig } from '../../src/core/trainer';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import type { Workload } from '../workload';

export type BenchEngine = 'cpu' | 'gpu';

export function isEngine(s: string): s is BenchEngine {
  return s === 'cpu' || s === 'gpu';
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

export async function createBenchTrainer(engine: BenchEngine, w: Workload): Promise<{ trainer: Trainer; description: string }> {
  const config = benchTrainerConfig(w);
  if (engine === 'cpu') return { trainer: createCpuTrainer(config), description: `Float32 CPU engine, Node ${process.version}` };
  throw new Error('the GPU engine (src/gpu createGpuTrainer) has not landed yet');
}
