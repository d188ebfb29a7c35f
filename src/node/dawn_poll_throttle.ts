// Dawn in Node (the `webgpu` package) settles a buffer map or queue wait only while it polls the device, and it polls
// in a setImmediate loop for as long as one is pending: the main thread spins, on one of the cores a CPU driver's
// worker threads need. This waiter lets that loop turn but pauses the thread POLL_SLICE_MS per turn (Atomics.wait:
// asleep, not spinning), so Dawn polls about once a millisecond instead of continuously. The cost: a submit's end is
// seen up to a slice late, and other work on this event loop waits up to a slice per turn while the GPU works.
//
// Measured on lavapipe (test/gpu/perf/chunk_wall_cpu.ts, 100-step chunks of the paper's example, interleaved, after
// the idle sleep of src/gpu/idle_wait.ts): without it 1.82–1.94 ms/step of wall time and 2.92–3.03 ms of CPU; slices
// of 0.05 ms 1.66–1.96 / 2.41–2.63, 0.25 ms 1.40–1.73 / 2.18–2.42, 1 ms 1.32–1.46 / 2.16–2.20.
import { setImmediate } from 'node:timers';

export const POLL_SLICE_MS = 1;

const cell = new Int32Array(new SharedArrayBuffer(4));
let pending = 0;
let pausing = false;

/** One pause chain however many waits are pending: each event-loop turn sleeps one slice until none is left. */
function pause(sliceMs: number): void {
  if (pending === 0) {
    pausing = false;
    return;
  }
  Atomics.wait(cell, 0, 0, sliceMs);
  setImmediate(pause, sliceMs);
}

/** Awaits `promise` with Dawn's polling throttled to one poll per slice (GpuWaiter, src/gpu/idle_wait.ts). */
export function throttledDawnWait<T>(promise: Promise<T>, sliceMs = POLL_SLICE_MS): Promise<T> {
  pending++;
  if (!pausing) {
    pausing = true;
    setImmediate(pause, sliceMs);
  }
  return promise.finally(() => { pending--; });
}
