// Seeded test inputs, rounded to float32 so that the float64 reference sees exactly what the GPU sees.
import { Prng } from '../../../src/core/prng';

export function randomF32(n: number, seed: number, low = -1, high = 1): Float32Array {
  const rng = new Prng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(low, high);
  return a;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Collects the max |error| of each kernel over its shapes and prints one line per kernel at the end. */
export class ErrorLog {
  private readonly worst = new Map<string, { err: number; shape: string }>();

  record(kernel: string, shape: string, err: number): void {
    const w = this.worst.get(kernel);
    if (!w || err > w.err) this.worst.set(kernel, { err, shape });
  }

  print(driver: string): void {
    for (const [k, w] of this.worst) console.log(`[${driver}] ${k}: max |err| ${w.err.toExponential(2)} (at ${w.shape})`);
  }
}
