// One-off measurement (not a test): the batch gather (MNIST shape: 64 rows of 784 uint8 features out of 10 000) and
// the optimizer steps over the 784-128-10 MLP's packed parameters, scalar kernels against their vector variants, each
// dispatch repeated 100× in one compute pass, interleaved rounds, best kept (the machine is shared and noisy).
// MAX_GROUPS caps the optimizer's workgroups (default: the software variant's maxStridedGroups; 4–16 measured alike).
// Run: ./node_modules/.bin/esbuild test/gpu/perf/elementwise_variants.ts --bundle --platform=node --format=esm \
//   --loader:.wgsl=text --external:webgpu --outfile=out/elementwise_variants.mjs && ./node_modules/.bin/node out/elementwise_variants.mjs
import { defaultOptimizer } from '../../../src/core/optimizer';
import { Prng } from '../../../src/core/prng';
import { createStorageBuffer, uniformBuffer, uploadBuffer } from '../../../src/gpu/buffers';
import { bindGroup, encodeDispatch, linearGroups, makeDispatch, stridedGroups, type Dispatch } from '../../../src/gpu/dispatch';
import { optimizerDispatches } from '../../../src/gpu/elementwise_variants';
import { KERNELS, type KernelName } from '../../../src/gpu/kernels';
import { VARIANTS } from '../../../src/gpu/kernel_variants';
import { paramLayout } from '../../../src/gpu/param_layout';
import { PipelineCache } from '../../../src/gpu/pipeline_cache';
import { createStepBuffer, packStepSlots, writeStepSlots } from '../../../src/gpu/step_uniform';
import { packUniform, uniformBytes } from '../../../src/gpu/uniform_layout';
import { createNodeGpu } from '../../../src/node/webgpu_node';

const gpu = await createNodeGpu();
const device = gpu.device;
const cache = new PipelineCache(device, VARIANTS.software);
const rng = new Prng(1);
const B = 64;
const dim = 784;
const count = 10_000;

function dims(name: KernelName, values: Record<string, number>): GPUBuffer {
  const bytes = new Uint8Array(uniformBytes(KERNELS[name].dims));
  packUniform(KERNELS[name].dims, values, new DataView(bytes.buffer));
  return uniformBuffer(device, bytes, `${name} dims`);
}

const opt = defaultOptimizer('sgd', { momentum: 0.9 });
// Slot 0 for both kinds of kernel: the gathers read it at the cursor (0), the optimizer steps before it (cursor 1).
const slots = packStepSlots([{ lr: 0.01, t: 3, slot: 0, indexOffset: 0 }], opt, { mode: 'coupled', coefficient: 1e-4, decayBiases: false });
const stepBuffer = createStepBuffer(device, 2, 'step');
writeStepSlots(device, stepBuffer, slots, 0);
const stepAfterLossBuffer = createStepBuffer(device, 2, 'step after the loss');
writeStepSlots(device, stepAfterLossBuffer, slots, 1);

const features = uploadBuffer(device, Uint8Array.from({ length: count * dim }, () => rng.nextInt(256)), 'features');
const norm = uploadBuffer(device, Float32Array.from({ length: 2 * dim }, () => rng.nextFloat()), 'normalisation');
const indices = uploadBuffer(device, Uint32Array.from({ length: B }, () => rng.nextInt(count)), 'indices');
const x = createStorageBuffer(device, B * dim * 4, 'x');
const gather = (name: 'gatherBatch' | 'gatherBatchVec4' | 'gatherBatchVec16', per: number): Dispatch => {
  const k = cache.get(name);
  const counts: [number, number] = per === 1 ? [Math.ceil(dim / k.workgroup[0]), B] : linearGroups(k, B * dim / per);
  return makeDispatch(k, bindGroup(device, k, [dims(name, { batch: B, dim, packedU8: 1 }), stepBuffer, features,
    norm, indices, x]), counts);
};

const layout = paramLayout({ inputSize: 784, hidden: [128], classes: 10 });
const state = ['params', 'grads', 'momentum', 'v'].map((l) => uploadBuffer(device, Float32Array.from({ length: layout.total }, () => rng.nextFloat()), l));
const optimizer = (kind: 'sgd' | 'adam', vector: boolean): Dispatch[] =>
  optimizerDispatches(kind, layout, 0, { ...VARIANTS.software, vectorElementwise: vector }).map((s) => {
    const k = cache.get(s.name);
    const values = kind === 'sgd' ? { ...s.region, nesterov: 0, momentum: 0.9, dampening: 0 } : { ...s.region, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const bufs = kind === 'sgd' ? state.slice(0, 3) : state;
    return makeDispatch(k, bindGroup(device, k, [dims(s.name, values), stepAfterLossBuffer, ...bufs]),
      stridedGroups(k, s.invocations, Number(process.env.MAX_GROUPS ?? VARIANTS.software.maxStridedGroups)));
  });

const cases: [string, Dispatch[]][] = [
  ['gather scalar', [gather('gatherBatch', 1)]],
  ['gather vec4', [gather('gatherBatchVec4', 4)]],
  ['gather vec16', [gather('gatherBatchVec16', 16)]],
  ['sgd scalar (weights + biases)', optimizer('sgd', false)],
  ['sgd vec4 (one dispatch)', optimizer('sgd', true)],
  ['adam scalar (weights + biases)', optimizer('adam', false)],
  ['adam vec4 (one dispatch)', optimizer('adam', true)],
];

async function timeRepeated(ds: Dispatch[], n: number): Promise<number> {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (let i = 0; i < n; i++) for (const d of ds) encodeDispatch(pass, d);
  pass.end();
  const t0 = performance.now();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
  return (performance.now() - t0) / n;
}
const best = cases.map(() => Infinity);
for (let r = 0; r < Number(process.env.ROUNDS ?? 5); r++) {
  for (const [i, [, ds]] of cases.entries()) best[i] = Math.min(best[i], await timeRepeated(ds, 100));
}
cases.forEach(([label], i) => console.log(`${label.padEnd(32)} ${(best[i] * 1000).toFixed(0).padStart(6)} µs`));
gpu.destroy();
