// The kernel table: each WGSL file with its bindings (index = @binding) and its dims uniform (binding 0).
// Bind-group layouts and pipelines are built from this one table (pipeline_cache.ts).
import adamStepSource from '../../shaders/adam_step.wgsl';
import adamStepVec4Source from '../../shaders/adam_step_vec4.wgsl';
import biasBackwardSource from '../../shaders/bias_backward.wgsl';
import classifierHeadStepSource from '../../shaders/classifier_head_step.wgsl';
import denseBackwardInputSource from '../../shaders/dense_backward_input.wgsl';
import denseBackwardInputVec4Source from '../../shaders/dense_backward_input_vec4.wgsl';
import denseBackwardNarrowSource from '../../shaders/dense_backward_narrow.wgsl';
import denseBackwardWeightSource from '../../shaders/dense_backward_weight.wgsl';
import denseBackwardWeightVec4Source from '../../shaders/dense_backward_weight_vec4.wgsl';
import denseForwardSource from '../../shaders/dense_forward.wgsl';
import denseForwardTiledSource from '../../shaders/dense_forward_tiled.wgsl';
import denseForwardVec4Source from '../../shaders/dense_forward_vec4.wgsl';
import gatherBatchSource from '../../shaders/gather_batch.wgsl';
import gatherBatchVec16Source from '../../shaders/gather_batch_vec16.wgsl';
import gatherBatchVec4Source from '../../shaders/gather_batch_vec4.wgsl';
import reluBackwardSource from '../../shaders/relu_backward.wgsl';
import sgdStepSource from '../../shaders/sgd_step.wgsl';
import sgdStepVec4Source from '../../shaders/sgd_step_vec4.wgsl';
import sgdUpdateSource from '../../shaders/sgd_update.wgsl';
import stepUniformSource from '../../shaders/step_uniform.wgsl';
import softmaxCrossEntropySource from '../../shaders/softmax_cross_entropy.wgsl';
import sumSquaresSource from '../../shaders/sum_squares.wgsl';
import {
  denseBackwardWeightBlockSource, denseBackwardWeightShuffleSource, denseForwardBlockSource, denseForwardShuffleSource,
} from './gemm_codegen';
import type { UniformField } from './uniform_layout';

/**
 * dims: the static uniform at binding 0; read/write: storage. The step slots behind their cursor (step_uniform.wgsl):
 * 'step' for kernels that run before a batch's loss and read the slot at the cursor, 'stepCursor' (read_write) for the
 * loss kernel, which moves the cursor at its end, and 'stepAfterLoss' for the optimizer kernels after it, which read
 * the slot before the cursor.
 */
export type BindingKind = 'dims' | 'step' | 'stepCursor' | 'stepAfterLoss' | 'read' | 'write';

const STEP_BINDINGS: readonly BindingKind[] = ['step', 'stepCursor', 'stepAfterLoss'];

/**
 * How a kernel's workgroup size is chosen: 2-D GEMM tiles, a 1-D size (see kernel_variants.ts), fixed in the source,
 * or one subgroup (the variant's subgroupSize; such kernels need the device's 'subgroups' feature).
 */
export type WorkgroupShape = 'gemm' | 'linear' | 'fixed' | 'subgroup';

export interface KernelDef {
  name: string;
  source: string;
  bindings: readonly BindingKind[];
  dims: readonly UniformField[];
  workgroup: WorkgroupShape;
  /** GEMM kernels: outputs per invocation as (columns, rows); gemmGroups divides the output by it. */
  block: readonly [number, number];
  /**
   * Weight-gradient kernels that also write the layer's bias gradient when dims.biasGradient = 1 (dbOffset % 4 == 0),
   * which saves the plan its bias_backward dispatch (gemm_codegen.ts denseBackwardWeightShuffleSource says why).
   */
  biasGradient: boolean;
}

/**
 * The 'SGD update' kernels (…Sgd in the table, and dense_backward_narrow with its SGD_UPDATE constant) apply the
 * decayed SGD step to each vec4 of weight and bias gradient as they finish it, instead of storing it for an optimizer
 * dispatch: the step's parameters are then updated by the backward pass itself and no sgd_step dispatch runs (batch_plan.ts
 * says when). Why: on lavapipe that dispatch cost ~100 µs of a ~1060 µs step of the paper's example (~35 µs for the
 * dispatch, the rest loading each gradient back and the parameter), against one vec4 load of the parameter in the
 * gradient kernel; a layer's gradient kernels run after every read of its weights in the step (its input gradient
 * first). Measured in docs/bench.md.
 */
const SGD_DIMS: UniformField[] = [['momentum', 'f32', 0], ['dampening', 'f32', 0], ['nesterov', 'u32', 0]];

// Model strides (f32 elements) of the batched sweep: workgroup_id.z selects the model, whose tensors lie at
// z × stride in each buffer (0 for a buffer all models share, e.g. the gathered input). Defaults: one model.
const FORWARD_DIMS: UniformField[] = [['batch', 'u32'], ['inFeatures', 'u32'], ['outFeatures', 'u32'], ['relu', 'u32'],
  ['wOffset', 'u32'], ['bOffset', 'u32'], ['xStride', 'u32', 0], ['pStride', 'u32', 0], ['yStride', 'u32', 0]];
const BACKWARD_INPUT_DIMS: UniformField[] = [['batch', 'u32'], ['inFeatures', 'u32'], ['outFeatures', 'u32'],
  ['maskRelu', 'u32'], ['wOffset', 'u32'], ['dyStride', 'u32', 0], ['pStride', 'u32', 0], ['xStride', 'u32', 0]];
const BACKWARD_WEIGHT_DIMS: UniformField[] = [['batch', 'u32'], ['inFeatures', 'u32'], ['outFeatures', 'u32'],
  ['dwOffset', 'u32'], ['dyStride', 'u32', 0], ['xStride', 'u32', 0], ['pStride', 'u32', 0], ['dbOffset', 'u32', 0],
  ['biasGradient', 'u32', 0]];

/** `source` with step_uniform.wgsl's structs after its `enable` directives, which WGSL wants before any declaration. */
function withStepStructs(source: string): string {
  const lines = source.split('\n');
  const directives = lines.filter((l) => /^enable \w+;$/.test(l));
  return [...directives, stepUniformSource, ...lines.filter((l) => !directives.includes(l))].join('\n');
}

const def = (
  name: string, source: string, bindings: BindingKind[], dims: UniformField[], workgroup: WorkgroupShape,
  block: readonly [number, number] = [4, 4],
): KernelDef => ({
  name,
  // WGSL has no include: kernels bound to the step slot get its one struct definition prepended.
  source: bindings.some((b) => STEP_BINDINGS.includes(b)) ? withStepStructs(source) : source,
  bindings, dims, workgroup, block, biasGradient: false,
});
const fusingBias = (d: KernelDef): KernelDef => ({ ...d, biasGradient: true });
/** `source` with shaders/sgd_update.wgsl appended (WGSL declarations may come in any order). */
const withSgdUpdate = (source: string): string => `${source}\n${sgdUpdateSource}`;
// The u8-input GEMM kernels' bindings (gemm_codegen.ts GemmInput): the forward runs before the batch's loss, the
// weight gradient after it, so they read the step slot at and before the cursor.
const U8_FORWARD_BINDINGS: BindingKind[] = ['dims', 'read', 'read', 'write', 'read', 'step', 'read'];
const U8_WEIGHT_BINDINGS: BindingKind[] = ['dims', 'read', 'read', 'write', 'read', 'stepAfterLoss', 'read'];
// The SGD-update weight kernels (gemm_codegen.ts GradientUse): binding 3 is the params, then the step slots (f32 input;
// the u8 kernels bind them already) and the momentum.
const SGD_WEIGHT_BINDINGS: BindingKind[] = ['dims', 'read', 'read', 'write', 'stepAfterLoss', 'write'];
const U8_SGD_WEIGHT_BINDINGS: BindingKind[] = [...U8_WEIGHT_BINDINGS, 'write'];
const sgdWeightShuffle = (name: string, outGroups: number, lanesGroups: number, input: 'f32' | 'u8', block: readonly [number, number]): KernelDef =>
  fusingBias(def(name, withSgdUpdate(denseBackwardWeightShuffleSource(outGroups, lanesGroups, input, 'sgd')),
    input === 'f32' ? SGD_WEIGHT_BINDINGS : U8_SGD_WEIGHT_BINDINGS, [...BACKWARD_WEIGHT_DIMS, ...SGD_DIMS], 'subgroup', block));

export const KERNELS = {
  denseForward: def('dense_forward', denseForwardSource, ['dims', 'read', 'read', 'write'],
    [...FORWARD_DIMS], 'gemm'),
  denseForwardVec4: def('dense_forward_vec4', denseForwardVec4Source, ['dims', 'read', 'read', 'write'],
    [...FORWARD_DIMS], 'gemm'),
  denseForwardTiled: def('dense_forward_tiled', denseForwardTiledSource, ['dims', 'read', 'read', 'write'],
    [...FORWARD_DIMS], 'gemm'),
  denseBackwardInput: def('dense_backward_input', denseBackwardInputSource, ['dims', 'read', 'read', 'read', 'write'],
    [...BACKWARD_INPUT_DIMS], 'gemm'),
  denseBackwardInputVec4: def('dense_backward_input_vec4', denseBackwardInputVec4Source, ['dims', 'read', 'read', 'read', 'write'],
    [...BACKWARD_INPUT_DIMS], 'gemm'),
  denseBackwardWeight: def('dense_backward_weight', denseBackwardWeightSource, ['dims', 'read', 'read', 'write'],
    [...BACKWARD_WEIGHT_DIMS], 'gemm'),
  denseBackwardWeightVec4: def('dense_backward_weight_vec4', denseBackwardWeightVec4Source, ['dims', 'read', 'read', 'write'],
    [...BACKWARD_WEIGHT_DIMS], 'gemm'),
  denseForwardBlock4x8: def('dense_forward_block_4x8', denseForwardBlockSource(4, 8), ['dims', 'read', 'read', 'write'],
    [...FORWARD_DIMS], 'gemm', [8, 4]),
  denseForwardBlock8x8: def('dense_forward_block_8x8', denseForwardBlockSource(8, 8), ['dims', 'read', 'read', 'write'],
    [...FORWARD_DIMS], 'gemm', [8, 8]),
  // block = (columns per lane, rows per workgroup); the workgroup is one subgroup of SG lanes along the columns.
  denseForwardShuffle32x4: def('dense_forward_shuffle_32x4', denseForwardShuffleSource(32, 4), ['dims', 'read', 'read', 'write'],
    [...FORWARD_DIMS], 'subgroup', [4, 32]),
  denseForwardShuffle16x4: def('dense_forward_shuffle_16x4', denseForwardShuffleSource(16, 4), ['dims', 'read', 'read', 'write'],
    [...FORWARD_DIMS], 'subgroup', [4, 16]),
  denseForwardShuffle16x2: def('dense_forward_shuffle_16x2', denseForwardShuffleSource(16, 2), ['dims', 'read', 'read', 'write'],
    [...FORWARD_DIMS], 'subgroup', [2, 16]),
  // block = (input features per lane, output features per workgroup), as gemmGroups(k, outFeatures, inFeatures) divides them.
  denseBackwardWeightShuffle32x8: fusingBias(def('dense_backward_weight_shuffle_32x8', denseBackwardWeightShuffleSource(8, 2), ['dims', 'read', 'read', 'write'],
    [...BACKWARD_WEIGHT_DIMS], 'subgroup', [8, 32])),
  denseBackwardWeightShuffle16x8: fusingBias(def('dense_backward_weight_shuffle_16x8', denseBackwardWeightShuffleSource(4, 2), ['dims', 'read', 'read', 'write'],
    [...BACKWARD_WEIGHT_DIMS], 'subgroup', [8, 16])),
  denseBackwardWeightShuffle8x16: fusingBias(def('dense_backward_weight_shuffle_8x16', denseBackwardWeightShuffleSource(2, 4), ['dims', 'read', 'read', 'write'],
    [...BACKWARD_WEIGHT_DIMS], 'subgroup', [16, 8])),
  // The same shuffle kernels reading layer 0's input as the dataset's packed uint8 words at the batch's sample indices,
  // normalised in the kernel (gemm_codegen.ts GemmInput; bindings 4–6: the dataset's scale and shift, the step slots,
  // the chunk's indices). kernel_variants.ts packedInputKernels pairs them.
  denseForwardShuffle32x4U8: def('dense_forward_shuffle_32x4_u8', denseForwardShuffleSource(32, 4, 'u8'), U8_FORWARD_BINDINGS,
    [...FORWARD_DIMS], 'subgroup', [4, 32]),
  denseForwardShuffle16x4U8: def('dense_forward_shuffle_16x4_u8', denseForwardShuffleSource(16, 4, 'u8'), U8_FORWARD_BINDINGS,
    [...FORWARD_DIMS], 'subgroup', [4, 16]),
  denseForwardShuffle16x2U8: def('dense_forward_shuffle_16x2_u8', denseForwardShuffleSource(16, 2, 'u8'), U8_FORWARD_BINDINGS,
    [...FORWARD_DIMS], 'subgroup', [2, 16]),
  denseBackwardWeightShuffle32x8U8: fusingBias(def('dense_backward_weight_shuffle_32x8_u8', denseBackwardWeightShuffleSource(8, 2, 'u8'),
    U8_WEIGHT_BINDINGS, [...BACKWARD_WEIGHT_DIMS], 'subgroup', [8, 32])),
  denseBackwardWeightShuffle16x8U8: fusingBias(def('dense_backward_weight_shuffle_16x8_u8', denseBackwardWeightShuffleSource(4, 2, 'u8'),
    U8_WEIGHT_BINDINGS, [...BACKWARD_WEIGHT_DIMS], 'subgroup', [8, 16])),
  denseBackwardWeightShuffle8x16U8: fusingBias(def('dense_backward_weight_shuffle_8x16_u8', denseBackwardWeightShuffleSource(2, 4, 'u8'),
    U8_WEIGHT_BINDINGS, [...BACKWARD_WEIGHT_DIMS], 'subgroup', [16, 8])),
  // The shuffle weight kernels applying the SGD step instead of storing the gradients (SGD_DIMS above says why);
  // kernel_variants.ts sgdUpdateKernel pairs them.
  denseBackwardWeightShuffle32x8Sgd: sgdWeightShuffle('dense_backward_weight_shuffle_32x8_sgd', 8, 2, 'f32', [8, 32]),
  denseBackwardWeightShuffle16x8Sgd: sgdWeightShuffle('dense_backward_weight_shuffle_16x8_sgd', 4, 2, 'f32', [8, 16]),
  denseBackwardWeightShuffle8x16Sgd: sgdWeightShuffle('dense_backward_weight_shuffle_8x16_sgd', 2, 4, 'f32', [16, 8]),
  denseBackwardWeightShuffle32x8U8Sgd: sgdWeightShuffle('dense_backward_weight_shuffle_32x8_u8_sgd', 8, 2, 'u8', [8, 32]),
  denseBackwardWeightShuffle16x8U8Sgd: sgdWeightShuffle('dense_backward_weight_shuffle_16x8_u8_sgd', 4, 2, 'u8', [8, 16]),
  denseBackwardWeightShuffle8x16U8Sgd: sgdWeightShuffle('dense_backward_weight_shuffle_8x16_u8_sgd', 2, 4, 'u8', [16, 8]),
  denseBackwardWeightBlock8x8: def('dense_backward_weight_block_8x8', denseBackwardWeightBlockSource(2, 2), ['dims', 'read', 'read', 'write'],
    [...BACKWARD_WEIGHT_DIMS], 'gemm', [8, 8]),
  denseBackwardWeightBlock8x16: def('dense_backward_weight_block_8x16', denseBackwardWeightBlockSource(2, 4), ['dims', 'read', 'read', 'write'],
    [...BACKWARD_WEIGHT_DIMS], 'gemm', [16, 8]),
  denseBackwardWeightBlock16x16: def('dense_backward_weight_block_16x16', denseBackwardWeightBlockSource(4, 4), ['dims', 'read', 'read', 'write'],
    [...BACKWARD_WEIGHT_DIMS], 'gemm', [16, 16]),
  // A narrow layer's input, weight and bias gradients in one subgroup kernel; OUT (its outputs) is a pipeline constant,
  // and so is SGD_UPDATE, which applies the SGD step instead of storing the weight and bias gradients.
  denseBackwardNarrow: def('dense_backward_narrow', withSgdUpdate(denseBackwardNarrowSource),
    ['dims', 'read', 'write', 'read', 'write', 'write', 'stepAfterLoss', 'write'],
    [['batch', 'u32'], ['inFeatures', 'u32'], ['maskRelu', 'u32'], ['biasGradient', 'u32'], ['wOffset', 'u32'], ['dwOffset', 'u32'],
      ['dbOffset', 'u32'], ['dyStride', 'u32', 0], ['xStride', 'u32', 0], ['pStride', 'u32', 0], ...SGD_DIMS], 'subgroup'),
  // A classifier head's whole training step (forward, loss and metrics, dx, the SGD step of w and b, the cursor's
  // move) in one workgroup; OUT and CHUNKS are pipeline constants (kernel_variants.ts classifierHeadChunks).
  classifierHeadStep: def('classifier_head_step', withSgdUpdate(classifierHeadStepSource),
    ['dims', 'stepCursor', 'read', 'write', 'read', 'read', 'write', 'write', 'write', 'write'],
    [['batch', 'u32'], ['inFeatures', 'u32'], ['wOffset', 'u32'], ['bOffset', 'u32'], ...SGD_DIMS, ['models', 'u32', 1],
      ['pStride', 'u32', 0], ['xStride', 'u32', 0], ['rowStride', 'u32', 0]], 'subgroup'),
  biasBackward: def('bias_backward', biasBackwardSource, ['dims', 'read', 'write'],
    [['batch', 'u32'], ['outFeatures', 'u32'], ['dbOffset', 'u32'], ['dyStride', 'u32', 0], ['pStride', 'u32', 0]], 'linear'),
  reluBackward: def('relu_backward', reluBackwardSource, ['dims', 'read', 'read', 'write'], [['n', 'u32']], 'linear'),
  // Loss, predictions, per-batch metrics, the last layer's bias gradient and the cursor's move, in one workgroup.
  softmaxCrossEntropy: def('softmax_cross_entropy', softmaxCrossEntropySource,
    ['dims', 'stepCursor', 'read', 'read', 'read', 'write', 'write', 'write', 'write'],
    [['batch', 'u32'], ['classes', 'u32'], ['mode', 'u32'], ['logitsStride', 'u32', 0], ['rowStride', 'u32', 0],
      ['models', 'u32', 1], ['dbOffset', 'u32', 0], ['pStride', 'u32', 0]], 'fixed'),
  sumSquares: def('sum_squares', sumSquaresSource, ['dims', 'read', 'write'],
    [['offset', 'u32'], ['count', 'u32'], ['slot', 'u32']], 'fixed'),
  gatherBatch: def('gather_batch', gatherBatchSource, ['dims', 'step', 'read', 'read', 'read', 'write'],
    [['batch', 'u32'], ['dim', 'u32'], ['packedU8', 'u32']], 'linear'),
  sgdStep: def('sgd_step', sgdStepSource, ['dims', 'stepAfterLoss', 'write', 'read', 'write'],
    [['offset', 'u32'], ['count', 'u32'], ['isBias', 'u32'], ['nesterov', 'u32'], ['momentum', 'f32'], ['dampening', 'f32'], ['pStride', 'u32', 0]], 'linear'),
  adamStep: def('adam_step', adamStepSource, ['dims', 'stepAfterLoss', 'write', 'read', 'write', 'write'],
    [['offset', 'u32'], ['count', 'u32'], ['isBias', 'u32'], ['beta1', 'f32'], ['beta2', 'f32'], ['eps', 'f32'], ['pStride', 'u32', 0]], 'linear'),
  // Vector variants of the element-wise kernels (elementwise_variants.ts says where they apply): 4 or 16 features,
  // or 4 parameters, per invocation; the optimizer steps cover weights and biases in one dispatch (biasStart).
  gatherBatchVec4: def('gather_batch_vec4', gatherBatchVec4Source, ['dims', 'step', 'read', 'read', 'read', 'write'],
    [['batch', 'u32'], ['dim', 'u32'], ['packedU8', 'u32']], 'linear'),
  gatherBatchVec16: def('gather_batch_vec16', gatherBatchVec16Source, ['dims', 'step', 'read', 'read', 'read', 'write'],
    [['batch', 'u32'], ['dim', 'u32'], ['packedU8', 'u32']], 'linear'),
  sgdStepVec4: def('sgd_step_vec4', withSgdUpdate(sgdStepVec4Source), ['dims', 'stepAfterLoss', 'write', 'read', 'write'],
    [['offset', 'u32'], ['count', 'u32'], ['biasStart', 'u32'], ['nesterov', 'u32'], ['momentum', 'f32'], ['dampening', 'f32'], ['pStride', 'u32', 0]], 'linear'),
  adamStepVec4: def('adam_step_vec4', adamStepVec4Source, ['dims', 'stepAfterLoss', 'write', 'read', 'write', 'write'],
    [['offset', 'u32'], ['count', 'u32'], ['biasStart', 'u32'], ['beta1', 'f32'], ['beta2', 'f32'], ['eps', 'f32'], ['pStride', 'u32', 0]], 'linear'),
} as const satisfies Record<string, KernelDef>;

export type KernelName = keyof typeof KERNELS;

/** Softmax output modes (dims.mode of softmax_cross_entropy.wgsl). */
export const SOFTMAX_MODE = { gradient: 0, probabilities: 1, none: 2 } as const;
