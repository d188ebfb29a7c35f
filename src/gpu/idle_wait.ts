// Waiting for a submit by sleeping instead of polling. Dawn in Node (the `webgpu` package) polls the device in a
// setImmediate loop while a buffer map is pending, which keeps a core busy for the whole submit; on a CPU driver that
// core is one the driver's worker threads wanted. So GpuTrainer sleeps through most of the work it expects (from the
// fastest speed measured so far) before it maps the results; a browser, which does not poll, loses nothing by it.
//
// The fraction: measured on lavapipe (2-core machine, 100-step chunks of the paper's example,
// test/gpu/perf/chunk_wall_cpu.ts, alternating runs): without the wait 2.20 ms/step of wall time and 3.98 ms of CPU,
// with it 1.63 and 2.62. Other fractions (measured with LP_NUM_THREADS=0, one driver thread): 0.6 gave 1.60 / 2.24,
// 0.8 1.58 / 1.88, 0.9 1.58 / 1.74. A wait past the work's end would cost wall time one for one, hence not closer to 1.

/** The fastest wall time per unit of work (a training step, an evaluated sample) measured so far. */
export interface MeasuredSpeed {
  fastestMs: number;
}

export const IDLE_FRACTION = 0.8;
/** Shorter waits are not worth a timer (their granularity is about a millisecond). */
export const MIN_IDLE_MS = 2;

/**
 * The sleep before mapping the results of `units` of work: IDLE_FRACTION of their expected time, or 0 when nothing
 * has been measured yet (the first submit also compiles the kernels) or the wait would be under MIN_IDLE_MS. The
 * fastest speed, so that neither compilation nor a loaded moment lengthens later waits.
 */
export function idleMs(speed: MeasuredSpeed, units: number): number {
  const ms = IDLE_FRACTION * speed.fastestMs * units;
  return Number.isFinite(ms) && ms >= MIN_IDLE_MS ? ms : 0;
}
