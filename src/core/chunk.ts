// Validation of the training chunks and index lists that every engine accepts.
import type { TrainChunk } from './trainer';

/** Returns the number of steps in the chunk, or throws naming what is wrong. */
export function assertChunk(chunk: TrainChunk, datasetCount: number): number {
  const B = chunk.batchSize;
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`batchSize must be a positive integer, got ${B}`);
  if (chunk.indices.length % B !== 0) {
    throw new RangeError(`indices hold ${chunk.indices.length} entries, not a multiple of batchSize ${B}`);
  }
  const steps = chunk.indices.length / B;
  if (chunk.lrs.length !== steps) throw new RangeError(`lrs has ${chunk.lrs.length} entries for ${steps} steps`);
  for (let s = 0; s < steps; s++) {
    if (!Number.isFinite(chunk.lrs[s]) || chunk.lrs[s] < 0) throw new RangeError(`lr of step ${s} is ${chunk.lrs[s]}`);
  }
  assertIndices(chunk.indices, datasetCount);
  return steps;
}

export function assertIndices(indices: Uint32Array, datasetCount: number): void {
  for (let i = 0; i < indices.length; i++) {
    if (indices[i] >= datasetCount) throw new RangeError(`sample index ${indices[i]} is out of range [0, ${datasetCount})`);
  }
}
