// The sweep form: reads a LabConfig out of it (throwing errors that name the field) and writes one into it.
import type { DecayMode, OptimizerKind } from '../core/optimizer';
import { parseNumberList, validateLabConfig, type LabConfig } from './lab_config';

const OPTIMIZERS: OptimizerKind[] = ['sgd', 'adam', 'adamw'];

export function readForm(form: HTMLFormElement): LabConfig {
  const text = (name: string): string => {
    const el = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (!el) throw new Error(`the form lacks the field "${name}"`);
    return el.value.trim();
  };
  const number = (name: string, label: string): number => {
    const raw = text(name);
    const v = Number(raw);
    if (raw === '' || !Number.isFinite(v)) throw new RangeError(`${label}: "${raw}" is not a number`);
    return v;
  };
  const optimizer = text('optimizer') as OptimizerKind;
  if (!OPTIMIZERS.includes(optimizer)) throw new RangeError(`optimizer: unknown "${optimizer}"`);
  const modes = [...form.querySelectorAll<HTMLInputElement>('input[name="mode"]:checked')].map((el) => el.value as DecayMode);
  const config: LabConfig = {
    hidden: text('hidden') === '' ? [] : parseNumberList(text('hidden'), 'hidden layers'),
    optimizer,
    lr: number('lr', 'learning rate'),
    momentum: number('momentum', 'momentum'),
    decayModes: modes,
    lambdas: parseNumberList(text('lambdas'), 'λ values'),
    epochs: number('epochs', 'epochs'),
    batchSize: number('batchSize', 'batch size'),
    trainSubset: number('trainSubset', 'training subset'),
    testSubset: number('testSubset', 'test subset'),
    seed: number('seed', 'seed'),
  };
  validateLabConfig(config);
  return config;
}

export function writeForm(form: HTMLFormElement, c: LabConfig): void {
  const set = (name: string, value: string | number): void => {
    const el = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (el) el.value = String(value);
  };
  set('hidden', c.hidden.join(', '));
  set('optimizer', c.optimizer);
  set('lr', c.lr);
  set('momentum', c.momentum);
  set('lambdas', c.lambdas.join(', '));
  set('epochs', c.epochs);
  set('batchSize', c.batchSize);
  set('trainSubset', c.trainSubset);
  set('testSubset', c.testSubset);
  set('seed', c.seed);
  for (const box of form.querySelectorAll<HTMLInputElement>('input[name="mode"]')) {
    box.checked = c.decayModes.includes(box.value as DecayMode);
  }
}
