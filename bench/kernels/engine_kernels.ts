// The GPU engine's own dense kernels, dispatched exactly as its trainer does (pipeline cache, kernel variant chosen
// for the adapter, bind group and uniforms made once), each checked against its CPU twin before it is timed.
import { Prng } from '../../src/core/prng';
import { denseBackwardWeight, denseForward } from '../../src/cpu/dense';
import { readFloat32, uploadBuffer, createStorageBuffer } from '../../src/gpu/buffers';
import { bindGroup, encodeDispatch, gemmGroups, makeDispatch, UniformArena } from '../../src/gpu/dispatch';
import { gemmKernel, packedInputKernels, selectVariant } from '../../src/gpu/kernel_variants';
import type { KernelName } from '../../src/gpu/kernels';
import { PipelineCache } from '../../src/gpu/pipeline_cache';
import { firstRowsBindings } from './batch_rows_bindings';
import { gflops, submitAndWait, timeRepeated } from './gpu_timing';
import type { KernelRow } from './kernel_row';

export interface EngineKernelCase {
  kernel: 'denseForward' | 'denseBackwardWeight';
  label: string;
  batch: number;
  inFeatures: number;
  outFeatures: number;
  /**
   * 'u8': x as a uint8 dataset's packed bytes with a per-feature scale and shift, through the kernel's u8-input twin
   * (what layer 0 runs on MNIST where the variant has one, kernel_variants.ts packedInputKernels); skipped where none.
   */
  input?: 'u8';
}

/** The shapes in the engine's terms; FLOPs are 2·batch·in·out for both kernels. */
export const ENGINE_CASES: EngineKernelCase[] = [
  { kernel: 'denseForward', label: '1024³', batch: 1024, inFeatures: 1024, outFeatures: 1024 },
  { kernel: 'denseForward', label: 'forward 64×784×128', batch: 64, inFeatures: 784, outFeatures: 128 },
  { kernel: 'denseBackwardWeight', label: 'weight gradient 784×64×128', batch: 64, inFeatures: 784, outFeatures: 128 },
  { kernel: 'denseForward', label: 'forward 64×784×128', batch: 64, inFeatures: 784, outFeatures: 128, input: 'u8' },
  { kernel: 'denseBackwardWeight', label: 'weight gradient 784×64×128', batch: 64, inFeatures: 784, outFeatures: 128, input: 'u8' },
];

/** Layer 0's input: floats in [−1, 1], or bytes (half of them 0, like MNIST's background) and what they stand for. */
function seededInput(B: number, I: number, rng: Prng, u8: boolean): { x: Float32Array; words?: Uint32Array; normalisation?: Float32Array } {
  if (!u8) return { x: seeded(B * I, rng) };
  const bytes = Uint8Array.from({ length: B * I }, () => (rng.uniform(0, 1) < 0.5 ? 0 : rng.nextInt(256)));
  // |x| ≤ 255 · 0.004 + 0.5 < 1.6: products are 1.6× those of values in [−1, 1]: the validation bound times 1.6.
  const normalisation = Float32Array.from({ length: 2 * I }, (_, f) => (f < I ? rng.uniform(0.001, 0.004) : rng.uniform(-0.5, 0.5)));
  const x = Float32Array.from(bytes, (v, i) => v * normalisation[i % I] + normalisation[I + (i % I)]);
  return { x, words: new Uint32Array(bytes.buffer), normalisation };
}

function seeded(n: number, rng: Prng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

export async function timeEngineKernels(device: GPUDevice, cases: EngineKernelCase[], minSeconds: number): Promise<KernelRow[]> {
  const variant = selectVariant(device.adapterInfo, device.features);
  const cache = new PipelineCache(device, variant);
  const rng = new Prng(11);
  const rows: KernelRow[] = [];
  for (const c of cases) {
    const { batch: B, inFeatures: I, outFeatures: O } = c;
    // The kernel the trainer's batch plan would pick for this shape (blocked / vec4 / scalar), not the scalar twin name.
    const role = c.kernel === 'denseForward' ? 'forward' : 'backwardWeight';
    let kernelName: KernelName = gemmKernel(role, I, [0], variant, O);
    if (c.input === 'u8') {
      // The pair the batch plan takes for a uint8 dataset of I features; none: no such row on this adapter.
      const u8 = packedInputKernels(gemmKernel('forward', I, [0], variant, O), gemmKernel('backwardWeight', I, [0], variant, O), I, true);
      if (!u8) continue;
      kernelName = u8[role];
    }
    const kernel = cache.get(kernelName);
    const input = seededInput(B, I, rng, c.input === 'u8');
    const xBuffer = uploadBuffer(device, input.words ?? input.x, 'x');
    const extra = input.normalisation
      ? [uploadBuffer(device, input.normalisation, 'normalisation'), ...firstRowsBindings(device, B, I, role)] : [];
    const arena = new UniformArena(device, `bench ${kernelName}`);
    let inputs: GPUBuffer[];
    let output: GPUBuffer;
    let expected: Float64Array;
    let dims: () => GPUBufferBinding;
    let counts: [number, number];
    if (c.kernel === 'denseForward') {
      const x = input.x;
      const params = seeded(O * I + O, rng);
      inputs = [xBuffer, uploadBuffer(device, params, 'params')];
      output = createStorageBuffer(device, B * O * 4, 'y');
      dims = arena.add(kernel, { batch: B, inFeatures: I, outFeatures: O, relu: 0, wOffset: 0, bOffset: O * I });
      counts = gemmGroups(kernel, B, O);
      expected = new Float64Array(B * O);
      denseForward(Float64Array.from(x), Float64Array.from(params.subarray(0, O * I)), Float64Array.from(params.subarray(O * I)), expected, B, I, O, false);
    } else {
      const dy = seeded(B * O, rng);
      const x = input.x;
      inputs = [uploadBuffer(device, dy, 'dy'), xBuffer];
      output = createStorageBuffer(device, O * I * 4, 'dw');
      dims = arena.add(kernel, { batch: B, inFeatures: I, outFeatures: O, dwOffset: 0 });
      counts = gemmGroups(kernel, O, I);
      expected = new Float64Array(O * I);
      denseBackwardWeight(Float64Array.from(dy), Float64Array.from(x), expected, B, I, O);
    }
    const uniforms = arena.finish();
    const dispatch = makeDispatch(kernel, bindGroup(device, kernel, [dims(), ...inputs, output, ...extra]), counts);
    const run = async (repeats: number, idleMs = 0): Promise<void> => {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      for (let r = 0; r < repeats; r++) encodeDispatch(pass, dispatch);
      pass.end();
      await submitAndWait(device, encoder.finish(), idleMs);
    };
    await run(1);
    const got = await readFloat32(device, output, expected.length);
    // Sums of K = reduction-length products of values in [−1, 1]: f32 error ≲ K·2⁻²⁴·√K; four times that for order.
    const K = c.kernel === 'denseForward' ? I : B;
    const atol = 4 * K * 2 ** -24 * Math.sqrt(K) * (c.input === 'u8' ? 1.6 : 1);
    for (let i = 0; i < expected.length; i++) {
      if (!(Math.abs(got[i] - expected[i]) <= atol)) {
        throw new Error(`engine ${c.kernel} ${c.label}: element ${i} = ${got[i]}, CPU twin ${expected[i]} (atol ${atol.toExponential(2)})`);
      }
    }
    const t = await timeRepeated(run, minSeconds);
    rows.push({ name: `engine ${kernelName} (${variant.name} variant)`, shape: c.label, gflops: gflops(2 * B * I * O, t) });
    for (const b of [...inputs, ...extra, output, uniforms]) b.destroy();
  }
  return rows;
}
