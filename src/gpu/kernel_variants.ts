// The one place that picks kernel variants per adapter. CPU drivers (lavapipe, SwiftShader) run a workgroup as SIMD
// lanes over a cache, so small GEMM workgroups of register-blocked threads win there; real GPUs want more threads
// per workgroup to hide memory latency.

export interface KernelVariant {
  name: string;
  /** GEMM kernels: invocations per workgroup along columns and rows (each invocation computes 4×4 outputs). */
  gemmCols: number;
  gemmRows: number;
  /** 1-D kernels: invocations per workgroup. */
  linear: number;
}

export const VARIANTS = {
  software: { name: 'software', gemmCols: 8, gemmRows: 8, linear: 64 },
  hardware: { name: 'hardware', gemmCols: 16, gemmRows: 16, linear: 256 },
} as const satisfies Record<string, KernelVariant>;

/** True for CPU Vulkan drivers: lavapipe reports vendor `mesa` / architecture `software`, SwiftShader `swiftshader…`. */
export function isSoftwareAdapter(info: Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return /software|swiftshader|llvmpipe|lavapipe/.test(text);
}

export function selectVariant(info: Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'> | undefined): KernelVariant {
  return info && !isSoftwareAdapter(info) ? VARIANTS.hardware : VARIANTS.software;
}
