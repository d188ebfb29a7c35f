// Learning-rate schedules (constant, step, cosine) with an optional linear warm-up, evaluated per optimizer step.
// Steps are counted from 0; the trainer receives one lr per step (TrainChunk.lrs).

export type ScheduleKind = 'constant' | 'step' | 'cosine';

export interface ScheduleConfig {
  kind: ScheduleKind;
  /** Linear warm-up from lr/warmupSteps to lr over the first warmupSteps steps (0 = none). */
  warmupSteps: number;
  /** `step`: multiply the lr by gamma every stepSize steps (counted after warm-up). */
  stepSize: number;
  gamma: number;
  /** `cosine`: the lr reached at the last step. */
  minLr: number;
}

export function defaultSchedule(overrides: Partial<ScheduleConfig> = {}): ScheduleConfig {
  return { kind: 'constant', warmupSteps: 0, stepSize: 1, gamma: 0.1, minLr: 0, ...overrides };
}

export function validateSchedule(s: ScheduleConfig): void {
  if (!['constant', 'step', 'cosine'].includes(s.kind)) throw new RangeError(`schedule must be constant, step or cosine, got ${s.kind}`);
  if (!Number.isInteger(s.warmupSteps) || s.warmupSteps < 0) throw new RangeError(`warm-up steps must be an integer ≥ 0, got ${s.warmupSteps}`);
  if (s.kind === 'step') {
    if (!Number.isInteger(s.stepSize) || s.stepSize < 1) throw new RangeError(`step schedule: step size must be an integer ≥ 1, got ${s.stepSize}`);
    if (!Number.isFinite(s.gamma) || s.gamma <= 0) throw new RangeError(`step schedule: gamma must be positive, got ${s.gamma}`);
  }
  if (!Number.isFinite(s.minLr) || s.minLr < 0) throw new RangeError(`cosine schedule: min lr must be ≥ 0, got ${s.minLr}`);
}

/** The lr of step `step` (0-based) of a run of `totalSteps` steps with base lr `baseLr`. */
export function learningRateAt(s: ScheduleConfig, baseLr: number, step: number, totalSteps: number): number {
  if (step < s.warmupSteps) return (baseLr * (step + 1)) / s.warmupSteps;
  const t = step - s.warmupSteps;
  switch (s.kind) {
    case 'constant':
      return baseLr;
    case 'step':
      return baseLr * Math.pow(s.gamma, Math.floor(t / s.stepSize));
    case 'cosine': {
      const span = Math.max(totalSteps - s.warmupSteps - 1, 1);
      const progress = Math.min(t / span, 1);
      return s.minLr + (baseLr - s.minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}

/** The lrs of steps [startStep, startStep + steps), as the trainer takes them. */
export function scheduleChunk(s: ScheduleConfig, baseLr: number, startStep: number, steps: number, totalSteps: number): Float32Array {
  const lrs = new Float32Array(steps);
  for (let i = 0; i < steps; i++) lrs[i] = learningRateAt(s, baseLr, startStep + i, totalSteps);
  return lrs;
}
