// Layer 0's input as the GEMM kernels bind it (gemm_codegen.ts GemmInput), with what their CPU twins multiply.
import { defaultOptimizer } from '../../../src/core/optimizer';
import { Prng } from '../../../src/core/prng';
import { packStepSlots } from '../../../src/gpu/step_uniform';
import { randomF32 } from './random';

/** Where the u8-input kernels find their batch: slot 0's batch starts at this offset in the indices. */
export const U8_INDEX_OFFSET = 3;

/**
 * f32: random values, the batch's rows. u8: a dataset of more rows than the batch as packed bytes (4 per u32 word),
 * with the per-feature normalisation (scale, then shift) and then the indices of the batch's samples (shuffled, some
 * repeated, the last row among them) at U8_INDEX_OFFSET, followed by the batch's active-word lists (at activeOffset),
 * named by the step slot `step` (lr 0). The list (gemm_codegen.ts GemmInput) is the words in a shuffled order, its
 * count ~70% of them (not a multiple of the subgroup size on long rows: the forward's tail runs); the words past the
 * count are zero in every row and have no shift, as the kernels require. `extra` is what the u8 kernels bind after
 * the output (bindings 4 and 6; 5 is the step slots). x is the batch's rows as the twin sees them: for u8 the float64
 * value of raw·scale + shift, which the kernel rounds once, with one fma.
 */
export function layerInput(B: number, I: number, seed: number, kind: 'f32' | 'u8'): {
  stored: Float32Array | Uint32Array; extra: (Float32Array | Uint32Array)[]; x: Float64Array; step?: Uint8Array<ArrayBuffer>; activeOffset: number;
} {
  if (kind === 'f32') {
    const x = randomF32(B * I, seed);
    return { stored: x, extra: [], x: Float64Array.from(x), activeOffset: 0 };
  }
  if (I % 4 !== 0) throw new RangeError(`u8 input needs rows of whole words, got ${I} features`);
  const rng = new Prng(seed);
  const count = B + 5;
  const words = I / 4;
  const order = rng.shuffle(Array.from({ length: words }, (_, w) => w));
  const activeCount = Math.max(1, Math.round(0.7 * words));
  const active = new Set(order.slice(0, activeCount));
  const isActive = (f: number): boolean => active.has(Math.floor(f / 4));
  const bytes = Uint8Array.from({ length: count * I }, (_, e) => (!isActive(e % I) || rng.uniform(0, 1) < 0.5 ? 0 : rng.nextInt(256)));
  const activeOffset = U8_INDEX_OFFSET + B;
  // The batch's list, then the same list for each row group of the forward kernel (active_words.ts batchListsLength),
  // enough of them for groups of any size down to 1 row. Group-specific lists are tested on real digits
  // (zero_word_skipping_trainer.test.ts); here every inactive word is zero in every row.
  const listLength = 1 + words;
  const indices = Uint32Array.from({ length: activeOffset + (1 + B) * listLength }, (_, i) => {
    if (i < activeOffset) return i % 5 === 0 ? count - 1 : rng.nextInt(count);
    const k = (i - activeOffset) % listLength;
    return k === 0 ? activeCount : order[k - 1];
  });
  // Per-feature values that differ, so that a feature read with another's scale or shift is caught.
  const scale = randomF32(I, seed + 1, 0.001, 0.02);
  const shift = randomF32(I, seed + 2, -1, 1).map((v, f) => (isActive(f) ? v : 0));
  const normalisation = new Float32Array(2 * I);
  normalisation.set(scale);
  normalisation.set(shift, I);
  const x = Float64Array.from({ length: B * I }, (_, e) => {
    const f = e % I;
    return bytes[indices[U8_INDEX_OFFSET + Math.floor(e / I)] * I + f] * scale[f] + shift[f];
  });
  const step = packStepSlots([{ lr: 0, t: 0, slot: 0, indexOffset: U8_INDEX_OFFSET, activeOffset }], defaultOptimizer('sgd'),
    { mode: 'l2', coefficient: 0, decayBiases: false });
  return { stored: new Uint32Array(bytes.buffer), extra: [normalisation, indices], x, step, activeOffset };
}
