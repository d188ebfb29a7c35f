// The one place that picks kernel variants per adapter. CPU drivers (lavapipe, SwiftShader) run a workgroup as SIMD
// lanes over a cache, so small GEMM workgroups of register-blocked threads win there; real GPUs want more threads
// per workgroup to hide memory latency.

export interface KernelVariant {
  name: string;
  /** dense_forward from workgroup-memory tiles (real GPUs) instead of registers only (CPU drivers). */
  tiledForward: boolean;
  /** GEMM kernels: invocations per workgroup along columns and rows (each invocation computes 4×4 outputs). */
  gemmCols: number;
  gemmRows: number;
  /** 1-D kernels: invocations per workgroup. */
  linear: number;
}

export const VARIANTS = {
  software: { name: 'software', tiledForward: false, gemmCols: 8, gemmRows: 8, linear: 64 },
  hardware: { name: 'hardware', tiledForward: true, gemmCols: 16, gemmRows: 16, linear: 256 },
} as const satisfies Record<string, KernelVariant>;

/** True for CPU Vulkan drivers: lavapipe reports vendor `mesa` / architecture `software`, SwiftShader `swiftshader…`. */
export function isSoftwareAdapter(info: Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return /software|swiftshader|llvmpipe|lavapipe/.test(text);
}

export function selectVariant(info: Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'> | undefined): KernelVariant {
  return info && !isSoftwareAdapter(info) ? VARIANTS.hardware : VARIANTS.software;
}

export type GemmRole = 'forward' | 'backwardInput' | 'backwardWeight';

const GEMM_KERNELS = {
  forward: { scalar: 'denseForward', vec4: 'denseForwardVec4' },
  backwardInput: { scalar: 'denseBackwardInput', vec4: 'denseBackwardInputVec4' },
  backwardWeight: { scalar: 'denseBackwardWeight', vec4: 'denseBackwardWeightVec4' },
} as const;

export type GemmKernelName = (typeof GEMM_KERNELS)[GemmRole]['scalar' | 'vec4'] | 'denseForwardTiled';

/**
 * The GEMM kernel of a dense layer. All three read rows of inFeatures floats as vec4s when inFeatures % 4 == 0 (and the
 * tensor offsets, 4-aligned by param_layout.ts, allow it): wide loads on CPU drivers and on GPUs alike. Other widths
 * take the scalar kernels, which accept any shape. On variants with `tiledForward` (real GPUs), the forward product,
 * whose operands both run along inFeatures, goes through workgroup-memory tiles whatever the shape.
 */
export function gemmKernel(role: GemmRole, inFeatures: number, offsets: number[] = [], variant?: KernelVariant): GemmKernelName {
  if (role === 'forward' && variant?.tiledForward) return 'denseForwardTiled';
  const vec4 = inFeatures % 4 === 0 && offsets.every((o) => o % 4 === 0);
  return GEMM_KERNELS[role][vec4 ? 'vec4' : 'scalar'];
}
