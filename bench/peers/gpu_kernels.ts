// Child process: GFLOP/s of dense kernels on the Dawn adapter — the bench's baseline matmul (and the GPU engine's
// dense kernels), each validated against a float64 CPU product before it is timed.
// Usage: node gpu_kernels.mjs '<{"minSeconds": n, "shapes": "all" | "small"}>'
import { Prng } from '../../src/core/prng';
import { createNodeGpu } from '../../src/node/webgpu_node';
import { ENGINE_CASES, timeEngineKernels } from '../kernels/engine_kernels';
import { createBaselineMatmul, matmulReference, type MatmulShape } from '../kernels/matmul_baseline';
import { gflops, timeRepeated } from '../kernels/gpu_timing';
import type { KernelRow } from '../kernels/kernel_row';
import { printResult, runChild } from './child_io';

/** The shapes, as M×K×N of C(M,N) = A(M,K)·B(K,N). */
export const KERNEL_SHAPES: { label: string; shape: MatmulShape }[] = [
  { label: '1024³', shape: { M: 1024, K: 1024, N: 1024 } },
  { label: 'forward 64×784×128', shape: { M: 64, K: 784, N: 128 } },
  { label: 'weight gradient 784×64×128', shape: { M: 784, K: 64, N: 128 } },
];

function seeded(n: number, rng: Prng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

/** Throws naming the worst element when the device result is off. */
function validate(name: string, shape: MatmulShape, got: Float32Array, ref: Float64Array): void {
  // Each output sums K products of values in [−1, 1]; f32 rounding of a sum of K terms of size ≤ √K (random
  // walk) stays below K·2⁻²⁴·√K. Four times that bound leaves room for a different summation order.
  const atol = 4 * shape.K * 2 ** -24 * Math.sqrt(shape.K);
  for (let i = 0; i < ref.length; i++) {
    if (!(Math.abs(got[i] - ref[i]) <= atol)) {
      throw new Error(`${name} ${shape.M}×${shape.K}×${shape.N}: C[${i}] = ${got[i]}, expected ${ref[i]} (atol ${atol.toExponential(2)})`);
    }
  }
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as { minSeconds?: number; shapes?: 'all' | 'small' };
  const minSeconds = opts.minSeconds ?? 0.3;
  const gpu = await createNodeGpu();
  const rows: KernelRow[] = [];
  try {
    const rng = new Prng(7);
    const shapes = opts.shapes === 'small' ? KERNEL_SHAPES.slice(1) : KERNEL_SHAPES;
    // Baseline and engine kernel of one shape are timed back to back, so that both see the same load.
    for (const { label, shape } of shapes) {
      const a = seeded(shape.M * shape.K, rng);
      const b = seeded(shape.K * shape.N, rng);
      const kernel = createBaselineMatmul(gpu.device, shape, a, b);
      await kernel.run(1);
      validate('baseline vec4', shape, await kernel.readC(), matmulReference(a, b, shape));
      const t = await timeRepeated((r, idle) => kernel.run(r, idle), minSeconds);
      rows.push({ name: 'baseline register-blocked vec4 (bench)', shape: label, gflops: gflops(2 * shape.M * shape.K * shape.N, t) });
      kernel.destroy();
      rows.push(...(await timeEngineKernels(gpu.device, ENGINE_CASES.filter((c) => c.label === label), minSeconds)));
    }
    const info = gpu.info;
    printResult({ adapter: `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.replace(/\s+/g, ' ').trim(), kernels: rows });
  } finally {
    gpu.destroy();
  }
}

runChild(main);
