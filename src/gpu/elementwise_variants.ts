// Which batch-gather and optimizer-step kernels run, and how they are dispatched: the vector kernels (4 or 16 values
// per invocation) where the variant asks for them (KernelVariant.vectorElementwise) and the shapes allow them, else
// the scalar kernels, which take any shape. Every divisibility the vector kernels rely on is checked here.
import type { OptimizerKind } from '../core/optimizer';
import type { ParamLayout, TensorSlot } from './param_layout';
import type { KernelVariant } from './kernel_variants';

export type GatherKernelName = 'gatherBatch' | 'gatherBatchVec4' | 'gatherBatchVec16';

/** The gather kernel for rows of `dim` features, and the features each invocation handles. */
export function gatherKernel(dim: number, variant: KernelVariant | undefined): { name: GatherKernelName; perInvocation: number } {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`gather: dim must be a positive integer, got ${dim}`);
  // 16 features per invocation (one vec4u of packed bytes) where every row starts on a 16-byte boundary.
  if (variant?.vectorElementwise && dim % 16 === 0) return { name: 'gatherBatchVec16', perInvocation: 16 };
  if (variant?.vectorElementwise && dim % 4 === 0) return { name: 'gatherBatchVec4', perInvocation: 4 };
  return { name: 'gatherBatch', perInvocation: 1 };
}

/** One optimizer dispatch: its kernel, the region's dims (offset, count, isBias or biasStart) and its element count. */
export interface OptimizerDispatch {
  name: 'sgdStep' | 'adamStep' | 'sgdStepVec4' | 'adamStepVec4';
  region: { offset: number; count: number; isBias?: number; biasStart?: number };
  /** Invocations the region needs before grid-striding: elements, or vec4s for the vector kernels. */
  invocations: number;
}

// Adam and AdamW share the kernels: they differ only in the decay terms of the step slot.
const SCALAR = { sgd: 'sgdStep', adam: 'adamStep', adamw: 'adamStep' } as const;
const VEC4 = { sgd: 'sgdStepVec4', adam: 'adamStepVec4', adamw: 'adamStepVec4' } as const;

/**
 * The optimizer dispatches over a model's parameters. With a vector variant, one vec4 dispatch covers the weight
 * and bias groups when they are adjacent and the groups' offsets, counts and the per-model stride `pStride` of a
 * batched sweep are all multiples of 4 (param_layout.ts aligns them so), so that no vec4 straddles a region's edge
 * or the weight/bias boundary. Otherwise one scalar dispatch per group.
 */
export function optimizerDispatches(
  kind: OptimizerKind, layout: Pick<ParamLayout, 'weights' | 'biases'>, pStride: number, variant: KernelVariant | undefined,
): OptimizerDispatch[] {
  const { weights, biases } = layout;
  if (variant?.vectorElementwise && vec4Region(weights, biases, pStride)) {
    const count = weights.count + biases.count;
    return [{ name: VEC4[kind], region: { offset: weights.offset, count, biasStart: weights.count }, invocations: count / 4 }];
  }
  return [weights, biases].map((slot, isBias) => ({
    name: SCALAR[kind], region: { offset: slot.offset, count: slot.count, isBias }, invocations: slot.count,
  }));
}

function vec4Region(weights: TensorSlot, biases: TensorSlot, pStride: number): boolean {
  const adjacent = biases.offset === weights.offset + weights.count;
  return adjacent && [weights.offset, weights.count, biases.count, pStride].every((n) => n % 4 === 0);
}
