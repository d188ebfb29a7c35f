// Times GPU work submitted as `run(repeats, idleMs)`: grows the repeats until one submission lasts long enough that the
// ~0.07 ms submit-and-wait overhead of lavapipe is under a few percent, then keeps the fastest of three such runs
// (the 2-core machines are shared: the fastest run is the one least disturbed by other processes).
//
// `run` sleeps idleMs after its submit before it waits for the work (submitAndWait; src/gpu/idle_wait.ts says why).
// Measured on lavapipe (test/gpu/perf/gemm_variants.ts, two alternating runs each): the shuffle forward kernel at
// 1024³ 21.5–27.7 GFLOP/s polled, 40.6–42.8 with the idle wait. The engine's kernels and the baseline are timed alike.
import { awaitGpu, IDLE_FRACTION, idleMs, sleep } from '../../src/gpu/idle_wait';

export type TimedRun = (repeats: number, idleMs: number) => Promise<void>;

export async function timeRepeated(run: TimedRun, minSeconds: number): Promise<{ seconds: number; repeats: number }> {
  await run(1, 0); // pipeline compilation and first-touch of buffers stay out of the timing
  let fastestMs = Infinity;
  // While the repeats grow, half the expected time (the first speeds were measured polling: slower than unpolled);
  // the three runs that count sleep IDLE_FRACTION of it.
  const timed = async (repeats: number, fraction: number): Promise<number> => {
    const t0 = performance.now();
    await run(repeats, idleMs({ fastestMs }, repeats, fraction));
    const ms = performance.now() - t0;
    fastestMs = Math.min(fastestMs, ms / repeats);
    return ms / 1000;
  };
  let repeats = 1;
  for (;;) {
    const seconds = await timed(repeats, 0.5);
    if (seconds >= minSeconds || repeats >= 1 << 16) {
      let best = Infinity;
      for (let i = 0; i < 3; i++) best = Math.min(best, await timed(repeats, IDLE_FRACTION));
      return { seconds: best, repeats };
    }
    repeats *= seconds > 0 ? Math.min(16, Math.max(2, Math.ceil((minSeconds / seconds) * 1.2))) : 16;
  }
}

/** Submits `commands`, sleeps `idleMs`, then waits for the queue through the host's waiter (see above for why). */
export async function submitAndWait(device: GPUDevice, commands: GPUCommandBuffer, idleMs: number): Promise<void> {
  device.queue.submit([commands]);
  if (idleMs > 0) await sleep(idleMs);
  await awaitGpu(device, device.queue.onSubmittedWorkDone());
}

export function gflops(flopsPerRun: number, t: { seconds: number; repeats: number }): number {
  return (flopsPerRun * t.repeats) / t.seconds / 1e9;
}
