// Host side of the baseline matmul: pipeline and bind group built once, validated against a CPU product,
// then timed as many dispatches in one compute pass.
import source from './matmul_vec4_baseline.wgsl';
import { submitAndWait } from './gpu_timing';

export interface MatmulShape {
  M: number;
  K: number;
  N: number;
}

const WG = 8;

export interface BaselineMatmul {
  /** Encodes `repeats` dispatches in one pass, submits and waits for completion. */
  /** `repeats` dispatches in one submit; sleeps idleMs before waiting for them (gpu_timing.ts). */
  run(repeats: number, idleMs?: number): Promise<void>;
  /** C as read back from the device. */
  readC(): Promise<Float32Array>;
  destroy(): void;
}

export function createBaselineMatmul(device: GPUDevice, shape: MatmulShape, a: Float32Array, b: Float32Array): BaselineMatmul {
  const { M, K, N } = shape;
  for (const [n, v] of Object.entries(shape)) {
    if (!Number.isInteger(v) || v < 4 || v % 4 !== 0) throw new RangeError(`baseline matmul needs ${n} to be a multiple of 4, got ${v}`);
  }
  if (a.length !== M * K || b.length !== K * N) throw new RangeError(`A must hold ${M}×${K} and B ${K}×${N} values`);
  const storage = (data: Float32Array | number): GPUBuffer => {
    const size = typeof data === 'number' ? data : data.byteLength;
    const buf = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    if (typeof data !== 'number') device.queue.writeBuffer(buf, 0, data as Float32Array<ArrayBuffer>);
    return buf;
  };
  const dims = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(dims, 0, new Uint32Array([M, K, N, 0]));
  const bufA = storage(a);
  const bufB = storage(b);
  const bufC = storage(M * N * 4);
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code: source }), entryPoint: 'main', constants: { WG_COLS: WG, WG_ROWS: WG } },
  });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [dims, bufA, bufB, bufC].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const groupsX = Math.ceil(N / 4 / WG);
  const groupsY = Math.ceil(M / 4 / WG);
  return {
    async run(repeats: number, idleMs = 0): Promise<void> {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      for (let r = 0; r < repeats; r++) pass.dispatchWorkgroups(groupsX, groupsY);
      pass.end();
      await submitAndWait(device, encoder.finish(), idleMs);
    },
    async readC(): Promise<Float32Array> {
      const staging = device.createBuffer({ size: M * N * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(bufC, 0, staging, 0, M * N * 4);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const out = new Float32Array(staging.getMappedRange().slice(0));
      staging.unmap();
      staging.destroy();
      return out;
    },
    destroy(): void {
      for (const buf of [dims, bufA, bufB, bufC]) buf.destroy();
    },
  };
}

/** C = A·B in float64, the reference every timed kernel is checked against first. */
export function matmulReference(a: Float32Array, b: Float32Array, { M, K, N }: MatmulShape): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) {
      const aik = a[i * K + k];
      if (aik === 0) continue;
      for (let j = 0; j < N; j++) c[i * N + j] += aik * b[k * N + j];
    }
  }
  return c;
}
