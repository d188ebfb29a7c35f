// The sample order of each epoch: a seeded shuffle that depends only on (seed, epoch), so a resumed run sees the same order.
import { deriveSeed, Prng } from '../core/prng';

/** Stream id of the data order in deriveSeed, apart from initialisation (which uses the seed itself). */
const DATA_ORDER_STREAM = 0x0da7a;

/** Indices 0..count−1 in the order of epoch `epoch` (0-based); identity when shuffle is off. */
export function epochOrder(count: number, seed: number, epoch: number, shuffle: boolean): Uint32Array {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`sample count must be an integer ≥ 0, got ${count}`);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (shuffle) new Prng(deriveSeed(seed, DATA_ORDER_STREAM, epoch)).shuffle(order);
  return order;
}

/** Steps in one epoch: the last, smaller batch is kept (PyTorch DataLoader's drop_last=False) unless dropLast. */
export function stepsPerEpoch(count: number, batchSize: number, dropLast: boolean): number {
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}
