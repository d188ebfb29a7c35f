// Times GPU work submitted as `run(repeats)`: doubles the repeats until one submission lasts long enough
// that the ~0.07 ms submit-and-wait overhead of lavapipe is under a few percent.
export async function timeRepeated(run: (repeats: number) => Promise<void>, minSeconds: number): Promise<{ seconds: number; repeats: number }> {
  await run(1); // pipeline compilation and first-touch of buffers stay out of the timing
  let repeats = 1;
  for (;;) {
    const t0 = performance.now();
    await run(repeats);
    const seconds = (performance.now() - t0) / 1000;
    if (seconds >= minSeconds || repeats >= 1 << 16) return { seconds, repeats };
    repeats *= seconds > 0 ? Math.min(16, Math.max(2, Math.ceil((minSeconds / seconds) * 1.2))) : 16;
  }
}

export function gflops(flopsPerRun: number, t: { seconds: number; repeats: number }): number {
  return (flopsPerRun * t.repeats) / t.seconds / 1e9;
}
