// What the lab trains: one model/optimizer/data setup and the list of decay coefficients it sweeps.
import { defaultOptimizer, validateOptimizer, type DecayMode, type OptimizerKind } from '../core/optimizer';
import { validateSpec } from '../core/spec';
import type { TrainerConfig } from '../core/trainer';

export interface LabConfig {
  hidden: number[];
  optimizer: OptimizerKind;
  lr: number;
  /** SGD only; ignored by Adam/AdamW. */
  momentum: number;
  /** Decay modes compared; every mode runs every coefficient. */
  decayModes: DecayMode[];
  /** Decay coefficients swept side by side: λ for `l2`, wd for `coupled`/`decoupled`. */
  lambdas: number[];
  epochs: number;
  batchSize: number;
  /** Training samples used (the first N of the training split): overfitting shows with few. */
  trainSubset: number;
  /** Test samples evaluated after each epoch. */
  testSubset: number;
  seed: number;
}

export const MNIST_INPUT = 784;
export const MNIST_CLASSES = 10;

/** Upper bounds that keep a browser tab responsive and its memory bounded. */
export const LIMITS = {
  hiddenWidth: 4096,
  hiddenLayers: 6,
  /** Runs trained side by side (modes × λ values). */
  runs: 8,
  epochs: 200,
  batchSize: 4096,
  trainSubset: 60_000,
  testSubset: 10_000,
} as const;

export function defaultLabConfig(): LabConfig {
  return {
    hidden: [128],
    optimizer: 'sgd',
    lr: 0.1,
    momentum: 0.9,
    decayModes: ['coupled'],
    lambdas: [0, 1e-4, 1e-3, 1e-2],
    epochs: 5,
    batchSize: 64,
    trainSubset: 2000,
    testSubset: 2000,
    seed: 1,
  };
}

/** Throws a RangeError naming the first field that is wrong. */
export function validateLabConfig(c: LabConfig): void {
  const int = (name: string, v: number, min: number, max: number): void => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  };
  if (c.hidden.length > LIMITS.hiddenLayers) throw new RangeError(`at most ${LIMITS.hiddenLayers} hidden layers, got ${c.hidden.length}`);
  c.hidden.forEach((h, i) => int(`hidden layer ${i + 1} width`, h, 1, LIMITS.hiddenWidth));
  if (c.lambdas.length === 0) throw new RangeError('the λ list is empty: give at least one coefficient, e.g. 0');
  if (c.decayModes.length === 0) throw new RangeError('choose at least one decay mode');
  if (new Set(c.decayModes).size !== c.decayModes.length) throw new RangeError(`a decay mode is repeated: ${c.decayModes.join(', ')}`);
  const runs = c.lambdas.length * c.decayModes.length;
  if (runs > LIMITS.runs) throw new RangeError(`at most ${LIMITS.runs} runs side by side (decay modes × λ values), got ${runs}`);
  if (new Set(c.lambdas).size !== c.lambdas.length) throw new RangeError(`the λ list repeats a value: ${c.lambdas.join(', ')}`);
  int('epochs', c.epochs, 1, LIMITS.epochs);
  int('batch size', c.batchSize, 1, LIMITS.batchSize);
  int('training subset', c.trainSubset, 1, LIMITS.trainSubset);
  int('test subset', c.testSubset, 1, LIMITS.testSubset);
  int('seed', c.seed, 0, 0xffffffff);
  validateSpec({ inputSize: MNIST_INPUT, hidden: c.hidden, classes: MNIST_CLASSES });
  if (!Number.isFinite(c.lr) || c.lr <= 0) throw new RangeError(`learning rate must be a number > 0, got ${c.lr}`);
  for (const arm of labArms(c)) validateOptimizer(arm.config.optimizer, arm.config.decay);
}

/** One run of a sweep: a decay mode and coefficient, with a short label for legends. */
export interface LabArm {
  label: string;
  mode: DecayMode;
  coefficient: number;
  config: TrainerConfig;
}

/** One engine config per (mode, λ): same seed, hence the same initial weights, so runs differ only by decay. */
export function labArms(c: LabConfig): LabArm[] {
  const optimizer = defaultOptimizer(c.optimizer, { lr: c.lr, momentum: c.optimizer === 'sgd' ? c.momentum : 0 });
  const spec = { inputSize: MNIST_INPUT, hidden: c.hidden, classes: MNIST_CLASSES };
  return c.decayModes.flatMap((mode) =>
    c.lambdas.map((coefficient) => ({
      label: `${c.decayModes.length > 1 ? `${mode} ` : ''}${mode === 'l2' ? 'λ' : 'wd'}=${coefficient}`,
      mode,
      coefficient,
      config: { spec, optimizer, decay: { mode, coefficient, decayBiases: false }, seed: c.seed },
    })),
  );
}

/** Parses "0, 1e-4, 1e-3" (commas or spaces); throws naming the entry that is not a number ≥ 0. */
export function parseNumberList(text: string, what: string): number[] {
  const parts = text.split(/[\s,]+/).filter((p) => p.length > 0);
  return parts.map((p) => {
    const v = Number(p);
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${what}: "${p}" is not a number ≥ 0`);
    return v;
  });
}
