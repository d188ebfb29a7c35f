// Waiting for a submit by sleeping instead of polling. Dawn in Node (the `webgpu` package) polls the device in a
// setImmediate loop while a buffer map or queue wait is pending, which keeps a core busy for the whole submit; on a
// CPU driver that core is one the driver's worker threads wanted. So GpuTrainer (and the bench's kernel timing) sleep
// through most of the work they expect, from the fastest speed measured so far, before they wait; a browser, which
// does not poll, loses nothing by it. The wait after the sleep goes through the host's waiter (awaitGpu below): in
// Node one that throttles Dawn's polling to about once a millisecond (src/node/dawn_poll_throttle.ts).
//
// Measured on lavapipe (2-core machine, 100-step chunks of the paper's example, test/gpu/perf/chunk_wall_cpu.ts,
// alternating runs): without the wait 2.20 ms/step of wall time and 3.98 ms of CPU, with it 1.63 and 2.62. Other
// fractions (measured with LP_NUM_THREADS=0, one driver thread): 0.6 gave 1.60 / 2.24, 0.8 1.58 / 1.88, 0.9 1.58 /
// 1.74. A wait past the work's end costs wall time one for one, and a speed measured while polling is up to 1.35×
// slower than the same work unpolled (2.20 vs 1.63), so the fraction stays at 0.7: the first wait after a polled
// measurement still ends before the work (0.7 · 1.35 < 1).

export const IDLE_FRACTION = 0.7;
/** Shorter waits are not worth a timer (their granularity is about a millisecond). */
export const MIN_IDLE_MS = 2;

/** The fastest wall time per unit of work (a training step, an evaluated sample) measured so far. */
export class MeasuredSpeed {
  fastestMs = Infinity;
  private measurements = 0;

  /**
   * Records `ms` for `units` of work. The first measurement is dropped: it includes compiling the kernels (llvmpipe
   * compiles a pipeline at its first dispatch: ~18 s for the paper's example on a machine without Mesa's disk cache).
   */
  record(ms: number, units: number): void {
    if (this.measurements++ > 0 && units > 0) this.fastestMs = Math.min(this.fastestMs, ms / units);
  }
}

/**
 * The sleep before waiting for `units` of work: `fraction` of their expected time, or 0 when nothing has been
 * measured yet or the wait would be under MIN_IDLE_MS. The fastest speed, so that a loaded moment does not lengthen
 * later waits.
 */
export function idleMs(speed: Pick<MeasuredSpeed, 'fastestMs'>, units: number, fraction = IDLE_FRACTION): number {
  const ms = fraction * speed.fastestMs * units;
  return Number.isFinite(ms) && ms >= MIN_IDLE_MS ? ms : 0;
}

/** Resolves after `ms` (the idle wait itself; setTimeout lets the thread sleep, unlike Dawn's polling). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * How the host awaits a promise that only settles while Dawn polls (a buffer map, a queue wait): the Node layer
 * registers one that keeps Dawn's polling loop from spinning (src/node/dawn_poll_throttle.ts); elsewhere the
 * promise is awaited as it is (a browser does not poll).
 */
export type GpuWaiter = <T>(pending: Promise<T>) => Promise<T>;

const waiters = new WeakMap<GPUDevice, GpuWaiter>();

export function setGpuWaiter(device: GPUDevice, waiter: GpuWaiter): void {
  waiters.set(device, waiter);
}

/** `pending` awaited the way `device`'s host registered (setGpuWaiter), or as it is. */
export function awaitGpu<T>(device: GPUDevice, pending: Promise<T>): Promise<T> {
  const waiter = waiters.get(device);
  return waiter ? waiter(pending) : pending;
}
