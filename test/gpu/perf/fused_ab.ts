// One-off measurement (not a test): the fused training step (src/gpu/fused_steps.ts) against the same step as separate
// dispatches, in one process: two trainers of the paper's 784-128-10 MLP alternate 100-step chunks (N=n rounds,
// default 20), which cancels the machine's drift between processes. Prints each trainer's median, mean and fastest
// chunk in µs/step, and checks first that the two give the same parameters bit for bit after a chunk.
// MNIST=1 COUNT=60000 trains on MNIST's digits, as the bench does; LP_NUM_THREADS=1 runs lavapipe on one thread.
// Run: ./node_modules/.bin/esbuild test/gpu/perf/fused_ab.ts --bundle --platform=node --format=esm \
//        --loader:.wgsl=text --external:webgpu --outfile=out/fused_ab.mjs && ./node_modules/.bin/node out/fused_ab.mjs
import { createGpuTrainer } from '../../../src/gpu/gpu_trainer';
import { selectVariant } from '../../../src/gpu/kernel_variants';
import { createNodeGpu } from '../../../src/node/webgpu_node';
import { paperConfig, paperData } from './paper_workload';

const gpu = await createNodeGpu();
const { dataset, chunk: chunkOf } = paperData();
const variant = selectVariant(gpu.info, gpu.device.features);
if (!variant.fusedSteps) throw new Error(`the ${variant.name} variant does not fuse steps (a CPU driver with subgroups does)`);
const trainers = {
  fused: await createGpuTrainer(gpu.device, paperConfig(0), { variant }),
  separate: await createGpuTrainer(gpu.device, paperConfig(0), { variant: { ...variant, fusedSteps: false } }),
};
const handles = { fused: await trainers.fused.addDataset(dataset), separate: await trainers.separate.addDataset(dataset) };
const first = chunkOf(100);
for (const k of ['fused', 'separate'] as const) await trainers[k].train(handles[k], first);
const flat = async (k: keyof typeof trainers) => (await trainers[k].getParams()).flatMap((l) => [...l.weight, ...l.bias]);
const [a, b] = [await flat('fused'), await flat('separate')];
const differing = a.filter((v, i) => !Object.is(v, b[i])).length;
console.log(`parameters differing after a chunk: ${differing} of ${a.length}`);

const rounds = Number(process.env.N ?? 20);
const times = { fused: [] as number[], separate: [] as number[] };
for (let i = 0; i < rounds; i++) {
  const order = i % 2 ? (['fused', 'separate'] as const) : (['separate', 'fused'] as const);
  for (const k of order) {
    const chunk = chunkOf(100);
    const t0 = performance.now();
    await trainers[k].train(handles[k], chunk);
    times[k].push((performance.now() - t0) * 10);
  }
}
const stat = (x: number[]): string => {
  const s = [...x].sort((p, q) => p - q);
  return `median ${s[s.length >> 1].toFixed(0)} mean ${(s.reduce((p, q) => p + q, 0) / s.length).toFixed(0)} fastest ${s[0].toFixed(0)}`;
};
console.log(`fused: ${stat(times.fused)} | separate: ${stat(times.separate)} µs/step`);
gpu.destroy();
