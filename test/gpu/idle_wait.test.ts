// The sleep GpuTrainer takes before waiting for a submit (src/gpu/idle_wait.ts): never before a speed was measured,
// never from the first measurement (it includes kernel compilation), never a timer too short to matter, and
// otherwise a fixed fraction below 1 of the expected time.
import { expect, it } from 'vitest';
import { IDLE_FRACTION, idleMs, MeasuredSpeed, MIN_IDLE_MS } from '../../src/gpu/idle_wait';

it('does not wait before a speed was measured, and drops the first measurement (kernel compilation)', () => {
  const speed = new MeasuredSpeed();
  expect(idleMs(speed, 100)).toBe(0);
  speed.record(18_000, 10); // a first chunk that compiled the kernels
  expect(speed.fastestMs).toBe(Infinity);
  expect(idleMs(speed, 100)).toBe(0);
  speed.record(200, 100);
  expect(speed.fastestMs).toBe(2);
});

it('keeps the fastest speed, so a loaded moment does not lengthen later waits', () => {
  const speed = new MeasuredSpeed();
  for (const ms of [900, 300, 150, 400]) speed.record(ms, 100);
  expect(speed.fastestMs).toBe(1.5);
});

it('does not wait when the expected wait is under MIN_IDLE_MS', () => {
  expect(idleMs({ fastestMs: 0.01 }, 100)).toBe(0);
  expect(idleMs({ fastestMs: MIN_IDLE_MS / IDLE_FRACTION / 10 }, 9)).toBe(0);
});

it('waits a fraction below 1 of the expected time, proportional to the work', () => {
  expect(IDLE_FRACTION).toBeLessThan(1);
  expect(idleMs({ fastestMs: 1.5 }, 100)).toBeCloseTo(150 * IDLE_FRACTION, 9);
  expect(idleMs({ fastestMs: 1.5 }, 200)).toBeCloseTo(2 * idleMs({ fastestMs: 1.5 }, 100), 9);
  expect(idleMs({ fastestMs: 1.5 }, 100, 0.5)).toBeCloseTo(75, 9);
});
