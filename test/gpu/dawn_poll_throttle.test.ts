// The Node host's GPU waiter (src/node/dawn_poll_throttle.ts) against a stand-in for Dawn's polling: a setImmediate
// loop that polls until the work is done, as the `webgpu` package does while a map or queue wait is pending. The
// waiter must hand results and errors through, let the loop turn (else nothing would ever settle), and keep the
// thread mostly asleep instead of spinning: CPU time, not wall time, is what the tests bound.
import { setImmediate } from 'node:timers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { awaitGpu, setGpuWaiter } from '../../src/gpu/idle_wait';
import { POLL_SLICE_MS, throttledDawnWait } from '../../src/node/dawn_poll_throttle';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { testGpu } from './helpers/gpu_device';

/** Work that ends after `ms` but, like Dawn's, is only seen done by a poll; `polls` counts the polls. */
function dawnLikeWork<T>(ms: number, result: () => T): { promise: Promise<T>; polls: () => number } {
  const end = performance.now() + ms;
  let polls = 0;
  const promise = new Promise<T>((resolve, reject) => {
    const poll = (): void => {
      polls++;
      if (performance.now() < end) return void setImmediate(poll);
      try { resolve(result()); } catch (e) { reject(e); }
    };
    setImmediate(poll);
  });
  return { promise, polls: () => polls };
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

it('spins a core without it (the control), and sleeps through most of the wait with it', async () => {
  const spin = process.cpuUsage();
  const spinning = dawnLikeWork(200, () => 1);
  await spinning.promise;
  // Unthrottled, the loop polls continuously: nearly all of the 200 ms is CPU time.
  expect(cpuMs(spin)).toBeGreaterThan(120);
  const quiet = process.cpuUsage();
  const t0 = performance.now();
  const throttled = dawnLikeWork(200, () => 2);
  await expect(throttledDawnWait(throttled.promise)).resolves.toBe(2);
  const wall = performance.now() - t0;
  // About one poll per slice, and the thread asleep in between (the bound leaves room for a loaded machine).
  expect(throttled.polls()).toBeLessThanOrEqual(Math.ceil(wall / POLL_SLICE_MS) + 5);
  expect(cpuMs(quiet)).toBeLessThan(60);
  // Seen done within a few slices of the end.
  expect(wall).toBeLessThan(200 + 20 * POLL_SLICE_MS);
  console.log(`polls: ${spinning.polls()} unthrottled, ${throttled.polls()} throttled (${wall.toFixed(0)} ms)`);
});

it('hands rejections through, and concurrent waits share one pause per turn', async () => {
  const failing = dawnLikeWork(20, () => { throw new Error('device lost'); });
  await expect(throttledDawnWait(failing.promise)).rejects.toThrow('device lost');
  // Three waits at once: still about one slice per turn, so the longest ends on time (three chains would triple it).
  const t0 = performance.now();
  const works = [60, 120, 180].map((ms, i) => dawnLikeWork(ms, () => i));
  expect(await Promise.all(works.map((w) => throttledDawnWait(w.promise)))).toEqual([0, 1, 2]);
  expect(performance.now() - t0).toBeLessThan(180 + 20 * POLL_SLICE_MS);
  // One slice per turn gives ~180 / slice polls of the longest work (measured 150–170); a chain per wait, a third.
  expect(works[2].polls()).toBeGreaterThan(180 / POLL_SLICE_MS / 2);
});

it('awaitGpu uses the waiter registered for the device, and awaits other devices\' promises as they are', async () => {
  const registered = {} as GPUDevice;
  const other = {} as GPUDevice;
  const seen: Promise<unknown>[] = [];
  setGpuWaiter(registered, (p) => { seen.push(p); return p; });
  const p = Promise.resolve(7);
  await expect(awaitGpu(registered, p)).resolves.toBe(7);
  expect(seen).toEqual([p]);
  expect(awaitGpu(other, p)).toBe(p);
});

let gpu: NodeGpu;
beforeAll(async () => { gpu = await testGpu(); });
afterAll(() => gpu.destroy());

it('createNodeGpu registers the throttled waiter for its device', async () => {
  const done = gpu.device.queue.onSubmittedWorkDone();
  const waited = awaitGpu(gpu.device, done);
  expect(waited).not.toBe(done);
  await waited;
});
