// Command-line options of `npm run bench`.
import { Command, InvalidArgumentError } from 'commander';
import { STEPS_PER_EPOCH } from './workload';

export const SYSTEM_IDS = ['decaylab-gpu', 'decaylab-gpu-dense', 'decaylab-cpu', 'tfjs-webgpu', 'tfjs-wasm', 'tfjs-cpu', 'pytorch', 'pytorch-cuda'] as const;
export type SystemId = (typeof SYSTEM_IDS)[number];
/** What runs without --systems: PyTorch on a CUDA GPU is asked for by name, since few machines here have one. */
export const DEFAULT_SYSTEMS: readonly SystemId[] = SYSTEM_IDS.filter((id) => id !== 'pytorch-cuda');

export interface BenchOptions {
  steps: number;
  json: boolean;
  /** Also write the JSON document to this file (the tables still go to stdout). */
  jsonOut?: string;
  systems: SystemId[];
  testCount: number;
  /** Each system runs this many times, round-robin; its fastest run is reported (load on shared machines varies). */
  rounds: number;
  kernels: boolean;
  /** Seconds each kernel measurement runs for at least. */
  kernelSeconds: number;
  /** Epochs of the GPU-engine memory check (0 = skip). */
  memoryEpochs: number;
  /** Steps per epoch of the memory check (an MNIST epoch unless made smaller for a quick look). */
  memorySteps: number;
  seed: number;
  timeoutSeconds: number;
  python?: string;
  verbose: boolean;
  /** Use the child bundles already in out/bench instead of building them (a machine without esbuild). */
  prebuiltChildren: boolean;
}

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got '${v}'`);
    return n;
  };
}

function nonNegativeInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be an integer ≥ 0, got '${v}'`);
    return n;
  };
}

function systemList(v: string): SystemId[] {
  const ids = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) {
    if (!(SYSTEM_IDS as readonly string[]).includes(id)) throw new InvalidArgumentError(`unknown system '${id}' (known: ${SYSTEM_IDS.join(', ')})`);
  }
  if (ids.length === 0) throw new InvalidArgumentError('--systems needs at least one system');
  return ids as SystemId[];
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  const program = new Command('bench')
    .description("Train the paper's example (784-128-10 ReLU, SGD lr 0.01, wd 1e-4, batch 64, MNIST) with decaylab and its peers")
    .option('--steps <n>', 'training steps per system (fewer than an epoch keeps the 2-core machines free)', positiveInt('--steps'), 300)
    .option('--full-epoch', `train one whole epoch (${STEPS_PER_EPOCH} steps)`, false)
    .option('--json', 'print one JSON document instead of the tables', false)
    .option('--json-out <path>', 'also write the JSON document to a file')
    .option('--systems <list>', `comma-separated list of ${SYSTEM_IDS.join(',')} (default: all but pytorch-cuda)`, systemList, [...DEFAULT_SYSTEMS])
    .option('--rounds <n>', 'run every system this many times, interleaved, and keep each one’s fastest run', positiveInt('--rounds'), 1)
    .option('--test-count <n>', 'MNIST test images evaluated after training', positiveInt('--test-count'), 10000)
    .option('--no-kernels', 'skip the kernel GFLOP/s measurements')
    .option('--kernel-seconds <s>', 'minimum seconds per kernel timing', (v: string) => {
      const n = Number(v);
      if (!(n > 0)) throw new InvalidArgumentError(`--kernel-seconds must be positive, got '${v}'`);
      return n;
    }, 0.3)
    .option('--memory-epochs <n>', 'epochs of the GPU-engine RSS / memory-map check (0 skips it; the issue asks for 20)', nonNegativeInt('--memory-epochs'), 0)
    .option('--memory-steps <n>', 'steps per epoch of the memory check', positiveInt('--memory-steps'), STEPS_PER_EPOCH)
    .option('--seed <n>', 'seed of the data order and initialisations', nonNegativeInt('--seed'), 1)
    .option('--timeout <s>', 'seconds before a system is stopped and reported as timed out', positiveInt('--timeout'), 900)
    .option('--python <path>', 'python3 with torch (default: the first of python3, /usr/bin/python3 that imports torch)')
    .option('--verbose', "forward the children's stderr", false)
    .option('--prebuilt-children', 'run the child bundles already in out/bench (built by scripts/gpu-machine/prepare.sh) instead of building them', false);
  program.exitOverride();
  program.parse(argv, { from: 'user' });
  const o = program.opts<{
    steps: number; fullEpoch: boolean; json: boolean; jsonOut?: string; systems: SystemId[]; rounds: number; testCount: number; kernels: boolean;
    kernelSeconds: number; memoryEpochs: number; memorySteps: number; seed: number; timeout: number; python?: string; verbose: boolean; prebuiltChildren: boolean;
  }>();
  const steps = o.fullEpoch ? STEPS_PER_EPOCH : o.steps;
  if (o.testCount > 10000) throw new RangeError(`--test-count is at most 10000 (the MNIST test set), got ${o.testCount}`);
  return {
    steps, json: o.json, jsonOut: o.jsonOut, systems: o.systems, rounds: o.rounds, testCount: o.testCount, kernels: o.kernels, kernelSeconds: o.kernelSeconds,
    memoryEpochs: o.memoryEpochs, memorySteps: o.memorySteps, seed: o.seed, timeoutSeconds: o.timeout, python: o.python, verbose: o.verbose, prebuiltChildren: o.prebuiltChildren,
  };
}
