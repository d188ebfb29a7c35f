// One-off measurement (not a test): GFLOP/s of each GEMM kernel on the shapes, interleaved rounds, best kept
// (the machine is shared and noisy). Each kernel's output is checked against the CPU twin first. Waits for the GPU
// by sleeping first (src/gpu/idle_wait.ts); POLL=1 waits as before, polling, which costs lavapipe a core.
// Run: ./node_modules/.bin/esbuild test/gpu/perf/gemm_variants.ts --bundle --platform=node --format=esm \
//        --loader:.wgsl=text --external:webgpu --outfile=out/gemm_variants.mjs && ./node_modules/.bin/node out/gemm_variants.mjs [kernel…]
// Kernels named …U8 read layer 0's input as packed uint8 words with a per-feature scale and shift (gemm_codegen.ts).
import { Prng } from '../../../src/core/prng';
import { denseBackwardInput, denseBackwardWeight, denseForward } from '../../../src/cpu/dense';
import { createStorageBuffer, readFloat32, uploadBuffer } from '../../../src/gpu/buffers';
import { bindGroup, encodeDispatch, gemmGroups, makeDispatch, UniformArena, type Dispatch } from '../../../src/gpu/dispatch';
import { KERNELS, type KernelName } from '../../../src/gpu/kernels';
import { fixedSubgroupSize, selectVariant } from '../../../src/gpu/kernel_variants';
import { PipelineCache } from '../../../src/gpu/pipeline_cache';
import { createNodeGpu } from '../../../src/node/webgpu_node';
import { IDLE_FRACTION, idleMs } from '../../../src/gpu/idle_wait';
import { submitAndWait } from '../../../bench/kernels/gpu_timing';
import { firstRowsBindings } from '../../../bench/kernels/batch_rows_bindings';

const gpu = await createNodeGpu();
const device = gpu.device;
// The shuffle kernels need the subgroup size, which a real GPU's static variant leaves out: it is added where fixed.
const variant = {
  ...selectVariant(gpu.info, device.features), subgroupSize: fixedSubgroupSize(gpu.info, device.features), ...JSON.parse(process.env.VARIANT ?? '{}'),
};
const cache = new PipelineCache(device, variant);
console.log(`adapter ${gpu.info.vendor}/${gpu.info.architecture} ${gpu.info.description}, variant ${JSON.stringify(variant)}`);

const rng = new Prng(5);
const seeded = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
/**
 * Layer 0's input for the u8-input kernels (names ending U8, gemm_codegen.ts GemmInput): x as bytes (4 per word, as
 * a uint8 dataset stores them; half of them 0, like MNIST's background) with a per-feature scale and shift, and the
 * float values they stand for, which the f32 kernels are given instead.
 */
function seededInput(B: number, I: number, u8: boolean): { x: Float32Array; buffers: { x: GPUBuffer; normalisation?: GPUBuffer } } {
  const bytes = Uint8Array.from({ length: B * I }, () => (rng.uniform(0, 1) < 0.5 ? 0 : rng.nextInt(256)));
  const scale = Float32Array.from({ length: I }, () => rng.uniform(0.001, 0.02));
  const shift = Float32Array.from({ length: I }, () => rng.uniform(-1, 1));
  const x = Float32Array.from(bytes, (v, i) => v * scale[i % I] + shift[i % I]);
  if (!u8) return { x, buffers: { x: uploadBuffer(device, x, 'x') } };
  const normalisation = new Float32Array(2 * I);
  normalisation.set(scale);
  normalisation.set(shift, I);
  return { x, buffers: { x: uploadBuffer(device, new Uint32Array(bytes.buffer), 'x words'), normalisation: uploadBuffer(device, normalisation, 'normalisation') } };
}
const role = (name: KernelName) => (name.startsWith('denseForward') ? 'forward' : name.startsWith('denseBackwardInput') ? 'dx' : 'dw');

interface Case { name: KernelName; shape: [number, number, number]; dispatch: Dispatch; flops: number }

async function prepare(name: KernelName, [B, I, O]: [number, number, number]): Promise<Case> {
  const k = cache.get(name);
  const arena = new UniformArena(device, name);
  let res: GPUBuffer[]; let out: GPUBuffer; let ref: Float64Array; let dims; let counts: [number, number];
  const r = role(name);
  const u8 = name.endsWith('U8');
  const input = seededInput(B, I, u8);
  if (r === 'forward') {
    const x = input.x; const p = seeded(O * I + O);
    res = [input.buffers.x, uploadBuffer(device, p, 'p')]; out = createStorageBuffer(device, B * O * 4, 'y');
    dims = arena.add(k, { batch: B, inFeatures: I, outFeatures: O, relu: 0, wOffset: 0, bOffset: O * I });
    counts = name.includes('BlockT') ? gemmGroups(k, O, B) : gemmGroups(k, B, O);
    ref = new Float64Array(B * O);
    denseForward(Float64Array.from(x), Float64Array.from(p.subarray(0, O * I)), Float64Array.from(p.subarray(O * I)), ref, B, I, O, false);
  } else if (r === 'dx') {
    const dy = seeded(B * O); const w = seeded(O * I); const act = Float32Array.from({ length: B * I }, () => 1);
    res = [uploadBuffer(device, dy, 'dy'), uploadBuffer(device, w, 'w'), uploadBuffer(device, act, 'act')];
    out = createStorageBuffer(device, B * I * 4, 'dx');
    dims = arena.add(k, { batch: B, inFeatures: I, outFeatures: O, maskRelu: 0, wOffset: 0 });
    counts = gemmGroups(k, B, I);
    ref = new Float64Array(B * I);
    denseBackwardInput(Float64Array.from(dy), Float64Array.from(w), ref, B, I, O);
  } else {
    const dy = seeded(B * O); const x = input.x;
    res = [uploadBuffer(device, dy, 'dy'), input.buffers.x]; out = createStorageBuffer(device, O * I * 4, 'dw');
    dims = arena.add(k, { batch: B, inFeatures: I, outFeatures: O, dwOffset: 0 });
    counts = gemmGroups(k, O, I);
    ref = new Float64Array(O * I);
    denseBackwardWeight(Float64Array.from(dy), Float64Array.from(x), ref, B, I, O);
  }
  arena.finish();
  const normalisation = input.buffers.normalisation
    ? [input.buffers.normalisation, ...firstRowsBindings(device, B, I, r === 'forward' ? 'forward' : 'backwardWeight')] : [];
  const dispatch = makeDispatch(k, bindGroup(device, k, [dims(), ...res, out, ...normalisation]), counts);
  await run(dispatch, 1);
  const got = await readFloat32(device, out, ref.length);
  const K = r === 'forward' ? I : r === 'dx' ? O : B;
  for (let i = 0; i < ref.length; i++) {
    if (!(Math.abs(got[i] - ref[i]) <= 4 * K * 2 ** -24 * Math.sqrt(K) + 1e-6)) throw new Error(`${name} ${B}×${I}×${O}: [${i}] ${got[i]} vs ${ref[i]}`);
  }
  return { name, shape: [B, I, O], dispatch, flops: 2 * B * I * O };
}

async function run(d: Dispatch, n: number, idle = 0): Promise<void> {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (let i = 0; i < n; i++) encodeDispatch(pass, d);
  pass.end();
  await submitAndWait(device, enc.finish(), idle);
}

const names = (process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(KERNELS).filter((n) => /^dense(Forward|BackwardWeight)/.test(n) && !n.endsWith('Sgd'))) as KernelName[]; // the fused SGD-step kernels take more bindings
const big: [number, number, number][] = process.env.SMALL ? [] : [[1024, 1024, 1024]];
const shapes: Record<string, [number, number, number][]> = {
  forward: [...big, [64, 784, 128]], dx: [...big, [64, 128, 10]], dw: [...big, [64, 784, 128]],
};
const cases: Case[] = [];
for (const n of names) for (const s of shapes[role(n)]) if (!/Vec4|Block/.test(n) || s[1] % 4 === 0) cases.push(await prepare(n, s));
const best = cases.map(() => Infinity);
for (let round = 0; round < Number(process.env.ROUNDS ?? 5); round++) {
  for (const [i, c] of cases.entries()) {
    const repeats = Math.max(2, Math.min(200, Math.round(2e8 / c.flops)));
    const t0 = performance.now();
    // The idle wait (src/gpu/idle_wait.ts): none in round 0, half the expected time in round 1 (round 0 polled, which
    // is slower), then IDLE_FRACTION. POLL=1 polls throughout, as before the wait existed.
    const fraction = process.env.POLL || round === 0 ? 0 : round === 1 ? 0.5 : IDLE_FRACTION;
    await run(c.dispatch, repeats, idleMs({ fastestMs: best[i] * 1000 }, repeats, fraction));
    best[i] = Math.min(best[i], (performance.now() - t0) / 1000 / repeats);
  }
}
for (const [i, c] of cases.entries()) {
  console.log(`${c.name.padEnd(26)} ${c.shape.join('×').padEnd(14)} ${(c.flops / best[i] / 1e9).toFixed(2).padStart(7)} GFLOP/s  ${(best[i] * 1e3).toFixed(3)} ms`);
}
gpu.destroy();
