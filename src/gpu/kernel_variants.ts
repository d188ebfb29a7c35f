// The one place that picks kernel variants per adapter. CPU drivers (lavapipe, SwiftShader) run a workgroup as SIMD
// lanes over a cache, so small GEMM workgroups of register-blocked threads win there; real GPUs want more threads
// per workgroup to hide memory latency. autotune.ts can refine the static choice by timing the candidates below.
import { KERNELS } from './kernels';

export interface KernelVariant {
  name: string;
  /**
   * dense_forward from workgroup-memory tiles (real GPUs) where rows are not whole vec4s, instead of the scalar kernel.
   * Rows of vec4s take the vec4 (or blocked) kernel on every variant: on an H200 it beat the tiles at the training shape.
   */
  tiledForward: boolean;
  /** GEMM kernels: invocations per workgroup along columns and rows (each invocation computes a block of outputs). */
  gemmCols: number;
  gemmRows: number;
  /** 1-D kernels: invocations per workgroup. */
  linear: number;
  /** Grid-stride kernels (optimizer steps): at most this many workgroups per dispatch. */
  maxStridedGroups: number;
  /**
   * Larger register blocks (gemm_codegen.ts) for the forward and weight-gradient products where the shape allows
   * them; absent: the 4×4 vec4 kernels.
   */
  blocked?: { forward?: ForwardBlockKernel | ForwardShuffleKernel; backwardWeight?: WeightBlockKernel | WeightShuffleKernel };
  /**
   * The device's subgroup size when it is fixed (subgroupMinSize = subgroupMaxSize) and the 'subgroups' feature is
   * enabled: kernels of workgroup shape 'subgroup' (one workgroup = one subgroup) need it. Absent: none of them runs.
   */
  subgroupSize?: number;
  /**
   * Batch gather and optimizer steps on vec4s (4 or 16 features, 4 parameters per invocation; the weight and bias
   * groups in one optimizer dispatch) where the shapes allow it: elementwise_variants.ts. Absent: the scalar kernels.
   */
  vectorElementwise?: boolean;
  /**
   * A chunk's training steps as one persistent dispatch whose workgroups run the step's dispatches as stages
   * (fused_steps.ts): CPU drivers with subgroups only, since it relies on what they do beyond WebGPU's promises.
   */
  fusedSteps?: boolean;
  /** Workgroups of the fused dispatch; absent: one per CPU thread (fused_steps.ts fusedWorkgroups). Tests vary it. */
  fusedWorkgroups?: number;
}

/** Register-blocked candidates (rows × columns of outputs per invocation), all in the kernel table. */
export const FORWARD_BLOCKS = ['denseForwardVec4', 'denseForwardBlock4x8', 'denseForwardBlock8x8'] as const;
export const WEIGHT_BLOCKS = [
  'denseBackwardWeightVec4', 'denseBackwardWeightBlock8x8', 'denseBackwardWeightBlock8x16', 'denseBackwardWeightBlock16x16',
] as const;
export type ForwardBlockKernel = (typeof FORWARD_BLOCKS)[number];
/** Forward kernels that share x between lanes by subgroup shuffles (gemm_codegen.ts): rows × columns-per-lane. */
export const FORWARD_SHUFFLES = ['denseForwardShuffle32x4', 'denseForwardShuffle16x4', 'denseForwardShuffle16x2'] as const;
export type ForwardShuffleKernel = (typeof FORWARD_SHUFFLES)[number];
/** Weight-gradient kernels that share dy rows between lanes by subgroup shuffles: outputs × inputs per lane. */
export const WEIGHT_SHUFFLES = ['denseBackwardWeightShuffle32x8', 'denseBackwardWeightShuffle16x8', 'denseBackwardWeightShuffle8x16'] as const;
export type WeightShuffleKernel = (typeof WEIGHT_SHUFFLES)[number];
export type WeightBlockKernel = (typeof WEIGHT_BLOCKS)[number];

export const VARIANTS = {
  // lavapipe: every per-lane storage load is a scalar loop over the lanes (~16× a lane-wide multiply-add per float),
  // so blocks that reuse each loaded vec4 more often win where the loads run along rows: 8×16 weight-gradient blocks
  // measured 2–3× the 4×4 kernel (15 vs 4.7 GFLOP/s at 784×64×128, 20.5 vs 9.5 at 1024³). The forward product reads
  // w at a stride of inFeatures per column and stays at 8–10 GFLOP/s whatever the block: 4×4 (the vec4 kernel) led
  // 4×8 in 3 of 4 quiet runs (10.1 vs 8.7 at 64×784×128), 8×8 trailed; rows along x and vec4 accumulators were slower.
  // test/gpu/perf/gemm_variants.ts, best of interleaved rounds on the shared machine.
  software: {
    name: 'software', tiledForward: false, gemmCols: 8, gemmRows: 8, linear: 64, maxStridedGroups: 16,
    blocked: { forward: 'denseForwardVec4', backwardWeight: 'denseBackwardWeightBlock8x16' },
    // Each storage access at a run-time address is a loop over the lanes whatever its width: vec4s move 4× the data.
    // Measured (test/gpu/perf/elementwise_variants.ts, best of interleaved rounds, loaded lavapipe): gather of 64×784
    // u8 430 → 98 µs (vec16; vec4 170), SGD momentum over 100 492 params 417 → 222 µs, Adam 537 → 321 µs.
    vectorElementwise: true,
  },
  // vectorElementwise on GPUs too: 16-byte accesses are how memory-bound kernels reach bandwidth there, with a quarter
  // of the instructions (not measured on a real GPU yet; the kernels are tested under this variant on CPU drivers).
  hardware: { name: 'hardware', tiledForward: true, gemmCols: 16, gemmRows: 16, linear: 256, maxStridedGroups: 65535, vectorElementwise: true },
} as const satisfies Record<string, KernelVariant>;

/** True for CPU Vulkan drivers: lavapipe reports vendor `mesa` / architecture `software`, SwiftShader `swiftshader…`. */
export function isSoftwareAdapter(info: Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return /software|swiftshader|llvmpipe|lavapipe/.test(text);
}

type AdapterFacts = Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'> & Partial<Pick<GPUAdapterInfo, 'subgroupMinSize' | 'subgroupMaxSize'>>;

/**
 * The static variant of an adapter; `features` are the device's (device.features). On a CPU driver whose device has
 * 'subgroups' with one fixed subgroup size, the forward and weight-gradient products share the rows every lane needs
 * by subgroup shuffles instead of loading them per lane (what a CPU driver pays for, see gemm_codegen.ts).
 */
export function selectVariant(info: AdapterFacts | undefined, features?: ReadonlySet<string>): KernelVariant {
  if (info && !isSoftwareAdapter(info)) return VARIANTS.hardware;
  const size = fixedSubgroupSize(info, features);
  return size ? { ...withSubgroups(VARIANTS.software, size), fusedSteps: true } : VARIANTS.software;
}

/**
 * The shuffle kernels' variant of any device with one fixed subgroup size, undefined without one. On the CPU drivers
 * it is selectVariant's own choice; on a real GPU (NVIDIA: 32 lanes) the static choice stays 'hardware', and this is
 * how the tests and measurements run the shuffle kernels there too.
 */
export function subgroupVariant(info: AdapterFacts | undefined, features?: ReadonlySet<string>): KernelVariant | undefined {
  const size = fixedSubgroupSize(info, features);
  return size ? withSubgroups(VARIANTS.software, size) : undefined;
}

/**
 * The subgroup size when the device has subgroups and the adapter reports one fixed size, else undefined. Only sizes
 * WebGPU allows (powers of two from 4 to 128): the shuffle kernels step through a subgroup's rows two at a time
 * (gemm_codegen.ts denseBackwardWeightShuffleSource), so an adapter reporting anything else keeps the other variants.
 */
export function fixedSubgroupSize(info: AdapterFacts | undefined, features?: ReadonlySet<string>): number | undefined {
  if (!info || !features?.has('subgroups')) return undefined;
  const { subgroupMinSize: min, subgroupMaxSize: max } = info;
  const allowed = min !== undefined && min >= 4 && min <= 128 && (min & (min - 1)) === 0;
  return allowed && min === max ? min : undefined;
}

const DEFAULT_SHUFFLES = { forward: 'denseForwardShuffle16x4', backwardWeight: 'denseBackwardWeightShuffle32x8' } as const;

/**
 * `base` with the shuffle kernels for subgroups of `size` lanes. Defaults measured on lavapipe: forward 32×4 vs the
 * vec4 kernel 16.8 vs 6.0 GFLOP/s at 1024³, 9–11 vs 4 at 64×784×128 (test/gpu/perf/gemm_variants.ts, one loaded run,
 * interleaved); weight gradient 32×8 vs the 8×16 register block 17.2 vs 11.8 at 1024³, 13.5 vs 6.9 at 784×64×128.
 * The forward's 16 rows (16×4) train as fast as 32 (in-process A/B of the paper's steps, fused as on a CPU driver:
 * medians 479 vs 486 µs/step on two threads, 867 vs 895 on one) and compile faster, which matters most for the fused
 * kernel (fused_steps.ts; fresh Mesa cache: 29 vs 40 s). llvmpipe compiles a block of 64 rows × 4·SG columns in
 * ~54 s (32 rows: ~16 s, 16 rows: ~5 s; once per machine, Mesa caches it on disk) for ~10% more speed alone.
 */
export function withSubgroups(
  base: KernelVariant, size: number,
  forward: ForwardShuffleKernel = DEFAULT_SHUFFLES.forward, backwardWeight: WeightShuffleKernel = DEFAULT_SHUFFLES.backwardWeight,
): KernelVariant {
  // Trainers share pipeline caches by variant name (gpu_trainer.ts), so other kernels make another name.
  const defaults = forward === DEFAULT_SHUFFLES.forward && backwardWeight === DEFAULT_SHUFFLES.backwardWeight;
  const name = `${base.name}-subgroups${size}${defaults ? '' : `-${forward}-${backwardWeight}`}`;
  return { ...base, name, subgroupSize: size, blocked: { ...base.blocked, forward, backwardWeight } };
}

export type GemmRole = 'forward' | 'backwardInput' | 'backwardWeight';

const GEMM_KERNELS = {
  forward: { scalar: 'denseForward', vec4: 'denseForwardVec4' },
  backwardInput: { scalar: 'denseBackwardInput', vec4: 'denseBackwardInputVec4' },
  backwardWeight: { scalar: 'denseBackwardWeight', vec4: 'denseBackwardWeightVec4' },
} as const;

export type GemmKernelName = (typeof GEMM_KERNELS)[GemmRole]['scalar' | 'vec4'] | 'denseForwardTiled' | ForwardBlockKernel
  | ForwardShuffleKernel | WeightBlockKernel | WeightShuffleKernel;

const SHUFFLES: readonly string[] = [...FORWARD_SHUFFLES, ...WEIGHT_SHUFFLES];
/** A variant's blocked kernel if it can run: shuffle kernels need a known subgroup size (else the vec4 kernel runs). */
const runnable = <K extends string>(name: K | undefined, variant: KernelVariant | undefined): K | undefined =>
  name && (!SHUFFLES.includes(name) || variant?.subgroupSize) ? name : undefined;

/**
 * The GEMM kernel of a dense layer. All three read rows of inFeatures floats as vec4s when inFeatures % 4 == 0 (and the
 * tensor offsets, 4-aligned by param_layout.ts, allow it): wide loads on CPU drivers and on GPUs alike. Other widths
 * take the scalar kernels, which accept any shape, or, for the forward product on variants with `tiledForward` (real
 * GPUs), workgroup-memory tiles. Measured on an NVIDIA H200 (Dawn on Vulkan, test/gpu/perf/gemm_variants.ts): at the
 * paper's 64×784×128 the vec4 forward ran 85 GFLOP/s, the tiled one 47, the scalar one 37; at 1024³ vec4 and tiled
 * were equal (3450 and 3407), so tiles are kept only where rows are not whole vec4s. A variant's
 * `blocked` kernels replace the vec4 ones where they apply (the weight gradient's also reads dy as vec4s, so it needs
 * outFeatures % 4 == 0; pass outFeatures, or it is not taken).
 */
export function gemmKernel(
  role: GemmRole, inFeatures: number, offsets: number[] = [], variant?: KernelVariant, outFeatures?: number,
): GemmKernelName {
  const vec4 = inFeatures % 4 === 0 && offsets.every((o) => o % 4 === 0);
  if (role === 'forward' && variant?.tiledForward && !vec4) return 'denseForwardTiled';
  const forward = runnable(variant?.blocked?.forward, variant);
  if (vec4 && role === 'forward' && forward) return forward;
  const backwardWeight = runnable(variant?.blocked?.backwardWeight, variant);
  if (vec4 && role === 'backwardWeight' && backwardWeight && outFeatures !== undefined && outFeatures % 4 === 0) return backwardWeight;
  return GEMM_KERNELS[role][vec4 ? 'vec4' : 'scalar'];
}

/** Most outputs dense_backward_narrow keeps in registers (its MAX_OUT). */
export const NARROW_MAX_OUT = 16;

/**
 * Whether a layer's whole backward pass (input, weight and bias gradients) runs as one dense_backward_narrow dispatch
 * (the shader says why): on a variant with a fixed subgroup size (the CPU drivers), for 1 … NARROW_MAX_OUT outputs, rows
 * of whole vec4s of input and 4-aligned tensor offsets and model stride (`offsets`).
 */
export function narrowBackward(inFeatures: number, outFeatures: number, offsets: number[], variant: KernelVariant | undefined): boolean {
  return variant?.subgroupSize !== undefined && outFeatures >= 1 && outFeatures <= NARROW_MAX_OUT
    && inFeatures % 4 === 0 && offsets.every((o) => o % 4 === 0);
}

/** Most per-lane registers (vec4s of w, and as many of dw) classifier_head_step keeps: its MAX_REGS. */
export const HEAD_MAX_REGS = 64;
/** Storage bindings classifier_head_step needs, from its kernel table entry (9: one more than WebGPU's default 8). */
export const HEAD_STORAGE_BINDINGS = KERNELS.classifierHeadStep.bindings.filter((kind) => kind !== 'dims').length;

/**
 * The input vec4s per lane (its CHUNKS constant) with which a classifier head's training step runs as one
 * classifier_head_step dispatch (the shader says why), or undefined where it does not: it needs what
 * dense_backward_narrow needs (narrowBackward), a device allowing its storage bindings, and OUT·CHUNKS ≤
 * HEAD_MAX_REGS (CHUNKS = ceil(inFeatures / 4 / subgroup size)).
 */
export function classifierHeadChunks(
  inFeatures: number, outFeatures: number, offsets: number[], variant: KernelVariant | undefined, maxStorageBuffers: number,
): number | undefined {
  if (!narrowBackward(inFeatures, outFeatures, offsets, variant) || maxStorageBuffers < HEAD_STORAGE_BINDINGS) return undefined;
  const chunks = Math.ceil(inFeatures / 4 / variant!.subgroupSize!);
  return outFeatures * chunks <= HEAD_MAX_REGS ? chunks : undefined;
}

/** Each shuffle kernel's twin reading layer 0's input as packed uint8 words (kernels.ts, gemm_codegen.ts GemmInput). */
const U8_INPUT_KERNELS = {
  denseForwardShuffle32x4: 'denseForwardShuffle32x4U8',
  denseForwardShuffle16x4: 'denseForwardShuffle16x4U8',
  denseForwardShuffle16x2: 'denseForwardShuffle16x2U8',
  denseBackwardWeightShuffle32x8: 'denseBackwardWeightShuffle32x8U8',
  denseBackwardWeightShuffle16x8: 'denseBackwardWeightShuffle16x8U8',
  denseBackwardWeightShuffle8x16: 'denseBackwardWeightShuffle8x16U8',
} as const;

export type U8InputKernelName = (typeof U8_INPUT_KERNELS)[keyof typeof U8_INPUT_KERNELS];

/**
 * The u8-input kernels of layer 0 (forward, weight gradient) for a dataset of `dim` uint8 features, or undefined where
 * layer 0 keeps the gathered f32 batch: both of its kernels must have a u8 twin (the shuffle kernels do), and each row
 * must start on a word of the packed dataset (dim % 4 == 0).
 */
export function packedInputKernels(
  forward: GemmKernelName, backwardWeight: GemmKernelName, dim: number, packedU8: boolean,
): { forward: U8InputKernelName; backwardWeight: U8InputKernelName } | undefined {
  if (!packedU8 || dim % 4 !== 0) return undefined;
  const f = u8InputKernel(forward);
  const w = u8InputKernel(backwardWeight);
  return f?.startsWith('denseForward') && w?.startsWith('denseBackwardWeight') ? { forward: f, backwardWeight: w } : undefined;
}

/** A GEMM kernel's u8-input twin, if it has one. */
export function u8InputKernel(name: GemmKernelName): U8InputKernelName | undefined {
  return Object.hasOwn(U8_INPUT_KERNELS, name) ? U8_INPUT_KERNELS[name as keyof typeof U8_INPUT_KERNELS] : undefined;
}

/** Each shuffle weight-gradient kernel's twin that applies the SGD step instead of storing the gradients (kernels.ts SGD_DIMS). */
const SGD_UPDATE_KERNELS = {
  denseBackwardWeightShuffle32x8: 'denseBackwardWeightShuffle32x8Sgd',
  denseBackwardWeightShuffle16x8: 'denseBackwardWeightShuffle16x8Sgd',
  denseBackwardWeightShuffle8x16: 'denseBackwardWeightShuffle8x16Sgd',
  denseBackwardWeightShuffle32x8U8: 'denseBackwardWeightShuffle32x8U8Sgd',
  denseBackwardWeightShuffle16x8U8: 'denseBackwardWeightShuffle16x8U8Sgd',
  denseBackwardWeightShuffle8x16U8: 'denseBackwardWeightShuffle8x16U8Sgd',
} as const;

export type SgdUpdateKernelName = (typeof SGD_UPDATE_KERNELS)[keyof typeof SGD_UPDATE_KERNELS];

/** A weight-gradient kernel's SGD-update twin, if it has one. */
export function sgdUpdateKernel(name: string): SgdUpdateKernelName | undefined {
  return Object.hasOwn(SGD_UPDATE_KERNELS, name) ? SGD_UPDATE_KERNELS[name as keyof typeof SGD_UPDATE_KERNELS] : undefined;
}
