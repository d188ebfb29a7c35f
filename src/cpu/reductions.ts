// CPU twins of shaders/sum_squares.wgsl and shaders/gather_batch.wgsl.
import type { FloatArray } from '../core/params';

/** Σ x[i]² over (n), accumulated in float64 whatever the input type. */
export function sumSquares(x: FloatArray, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  return s;
}

/**
 * x[r, f] = features[indices[offset + r], f] · scale[f] + shift[f]; labelsOut[r] = labels[indices[offset + r]].
 * features is (count, dim), x is (B, dim).
 */
export function gatherBatch(
  features: Uint8Array | Float32Array, labels: Uint8Array, scale: Float32Array, shift: Float32Array,
  indices: Uint32Array, offset: number, batch: number, dim: number,
  x: FloatArray, labelsOut: Uint32Array,
): void {
  for (let r = 0; r < batch; r++) {
    const sample = indices[offset + r];
    const src = sample * dim;
    const dst = r * dim;
    for (let f = 0; f < dim; f++) x[dst + f] = features[src + f] * scale[f] + shift[f];
    labelsOut[r] = labels[sample];
  }
}
