// The sleep GpuTrainer takes before mapping a submit's results (src/gpu/idle_wait.ts): never before anything was
// measured, never a timer too short to matter, and otherwise a fixed fraction (< 1) of the expected time.
import { expect, it } from 'vitest';
import { IDLE_FRACTION, idleMs, MIN_IDLE_MS } from '../../src/gpu/idle_wait';

it('does not wait before the first measurement (which includes kernel compilation)', () => {
  expect(idleMs({ fastestMs: Infinity }, 100)).toBe(0);
});

it('does not wait when the expected wait is under MIN_IDLE_MS', () => {
  expect(idleMs({ fastestMs: 0.01 }, 100)).toBe(0);
  expect(idleMs({ fastestMs: MIN_IDLE_MS / IDLE_FRACTION / 10 }, 9)).toBe(0);
});

it('waits a fraction below 1 of the expected time, proportional to the work', () => {
  expect(IDLE_FRACTION).toBeLessThan(1);
  expect(idleMs({ fastestMs: 1.5 }, 100)).toBeCloseTo(150 * IDLE_FRACTION, 9);
  expect(idleMs({ fastestMs: 1.5 }, 200)).toBeCloseTo(2 * idleMs({ fastestMs: 1.5 }, 100), 9);
});
