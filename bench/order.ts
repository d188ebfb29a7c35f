// The sample order all systems train on: the project's seeded epoch order, epochs concatenated when the
// steps × batch run past one epoch (938 × 64 = 60,032 > 60,000), so every batch holds exactly 64 samples.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { epochOrder } from '../src/train/epoch_order';
import { MNIST_TRAIN_COUNT } from './workload';

export function benchOrder(steps: number, batch: number, seed: number): Uint32Array {
  const order = new Uint32Array(steps * batch);
  for (let filled = 0, epoch = 0; filled < order.length; epoch++) {
    const e = epochOrder(MNIST_TRAIN_COUNT, seed, epoch, true);
    const n = Math.min(e.length, order.length - filled);
    order.set(e.subarray(0, n), filled);
    filled += n;
  }
  return order;
}

/** Writes the order as little-endian uint32 (every child reads the same file) and returns its path. */
export function writeOrderFile(dir: string, steps: number, batch: number, seed: number): string {
  const path = join(dir, `order-s${seed}-${steps}x${batch}.u32`);
  const order = benchOrder(steps, batch, seed);
  writeFileSync(path, new Uint8Array(order.buffer, order.byteOffset, order.byteLength));
  return path;
}
