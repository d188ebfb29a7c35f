// The benchmark workload every system trains: the founding paper's example on the same MNIST batches.

/** What the parent hands each child process (as JSON on argv). */
export interface Workload {
  /** MNIST IDX directory (train-/t10k- images and labels). */
  mnistDir: string;
  /** File of steps × batch little-endian uint32 sample indices: every system trains on the same batches. */
  orderFile: string;
  steps: number;
  /** Leading steps left out of the timing (JIT, shader compilation, allocator warm-up). */
  warmupSteps: number;
  batch: number;
  hidden: number;
  lr: number;
  /** PyTorch-style coupled weight decay on every parameter: g ← ∇L + wd·θ. */
  weightDecay: number;
  seed: number;
  /** Test images evaluated after training (10,000 = the whole MNIST test set). */
  testCount: number;
  /** The loss is read back every this many steps, as a training loop's log point would. */
  logEvery: number;
}

/** What each child prints (one JSON line prefixed by RESULT_MARKER). */
export interface ChildResult {
  system: string;
  engine: string;
  msPerStep: number;
  /** CPU time (user + system, all threads) per timed step: steadier than wall time on a shared machine. */
  cpuMsPerStep: number;
  timedSteps: number;
  finalLoss: number;
  testAccuracy: number;
  peakRssMb: number;
  /** Anything the reader should know (backend details, fallbacks). */
  note?: string;
}

export const RESULT_MARKER = '@@bench-result ';

/** Printed at each log point, so that a child that crashes later still leaves its speed so far. */
export interface ChildProgress {
  step: number;
  msPerStep: number;
}

export const PROGRESS_MARKER = '@@bench-progress ';

/** MNIST train set: 60,000 samples, so an epoch at batch 64 is ⌈60000/64⌉ = 938 steps. */
export const MNIST_TRAIN_COUNT = 60000;
export const STEPS_PER_EPOCH = Math.ceil(MNIST_TRAIN_COUNT / 64);

export function paperWorkload(mnistDir: string, orderFile: string, steps: number): Workload {
  return {
    mnistDir, orderFile, steps,
    warmupSteps: Math.min(10, Math.floor(steps / 10)),
    batch: 64, hidden: 128, lr: 0.01, weightDecay: 1e-4, seed: 1, testCount: 10000, logEvery: 100,
  };
}
