// Times GPU work submitted as `run(repeats)`: grows the repeats until one submission lasts long enough that the
// ~0.07 ms submit-and-wait overhead of lavapipe is under a few percent, then keeps the fastest of three such runs
// (the 2-core machines are shared: the fastest run is the one least disturbed by other processes).
export async function timeRepeated(run: (repeats: number) => Promise<void>, minSeconds: number): Promise<{ seconds: number; repeats: number }> {
  await run(1); // pipeline compilation and first-touch of buffers stay out of the timing
  let repeats = 1;
  for (;;) {
    const t0 = performance.now();
    await run(repeats);
    const seconds = (performance.now() - t0) / 1000;
    if (seconds >= minSeconds || repeats >= 1 << 16) {
      let best = seconds;
      for (let i = 0; i < 2; i++) {
        const t1 = performance.now();
        await run(repeats);
        best = Math.min(best, (performance.now() - t1) / 1000);
      }
      return { seconds: best, repeats };
    }
    repeats *= seconds > 0 ? Math.min(16, Math.max(2, Math.ceil((minSeconds / seconds) * 1.2))) : 16;
  }
}

export function gflops(flopsPerRun: number, t: { seconds: number; repeats: number }): number {
  return (flopsPerRun * t.repeats) / t.seconds / 1e9;
}
