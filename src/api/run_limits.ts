// Limit checks on a run request that the schemas cannot express (they depend on configured limits): 422 naming the field.
import { parameterCount, type ModelSpec } from '../core/spec';
import type { ApiLimits } from './limits';
import { invalidField } from './problem';
import type { RunRequest } from './schemas';

export function checkRunRequestLimits(r: RunRequest, limits: ApiLimits, prefix = ''): void {
  if (r.epochs > limits.maxEpochs) throw invalidField(`${prefix}epochs`, `at most ${limits.maxEpochs} epochs are allowed, got ${r.epochs}`);
  const inline = (r.dataset.samples?.labels.length ?? 0) + (r.dataset.testSamples?.labels.length ?? 0);
  if (inline > limits.maxInlineSamples) {
    throw invalidField(`${prefix}dataset.samples`, `at most ${limits.maxInlineSamples} inline samples are allowed, got ${inline}`);
  }
  if (r.dataset.take !== undefined && r.dataset.take > limits.maxTrainSamples) {
    throw invalidField(`${prefix}dataset.take`, `at most ${limits.maxTrainSamples} training samples are allowed, got ${r.dataset.take}`);
  }
  if (r.optimizer.nesterov && (r.optimizer.momentum <= 0 || r.optimizer.dampening !== 0)) {
    throw invalidField(`${prefix}optimizer.nesterov`, 'nesterov momentum requires a momentum > 0 and zero dampening (as in PyTorch)');
  }
}

/** Once the dataset fixes the input and output sizes. */
export function checkParameterLimit(spec: ModelSpec, limits: ApiLimits, prefix = ''): void {
  const n = parameterCount(spec);
  if (n > limits.maxParameters) {
    throw invalidField(`${prefix}model.hidden`, `the model has ${n} parameters, more than the ${limits.maxParameters} allowed`);
  }
}

export function checkInlineCount(count: number, limits: ApiLimits, field: string): void {
  if (count > limits.maxInlineSamples) throw invalidField(field, `at most ${limits.maxInlineSamples} inline samples are allowed, got ${count}`);
}
