// One-off measurement (not a test): wall and CPU time per training step of the 784-128-10 MLP (batch 64, plain SGD)
// through GpuTrainer.train in 100-step chunks (STEPS=n: n-step chunks; CHUNKS=n of them timed, default 30), as a
// training loop with a log point every 100 steps runs it. CPU time counts every thread of the process: Dawn's polling,
// lavapipe's threads and JS. The median chunk is printed too: it is less moved by a single slow moment of the machine.
// DENSE=1 turns off the skipping of zero input words (GpuTrainerOptions.skipZeroInputWords): every batch reads all.
// Run: ./node_modules/.bin/esbuild test/gpu/perf/chunk_wall_cpu.ts --bundle --platform=node --format=esm \
//        --loader:.wgsl=text --external:webgpu --outfile=out/chunk_wall_cpu.mjs && ./node_modules/.bin/node out/chunk_wall_cpu.mjs
import { createGpuTrainer } from '../../../src/gpu/gpu_trainer';
import { createNodeGpu } from '../../../src/node/webgpu_node';
import { paperConfig, paperData } from './paper_workload';
const gpu = await createNodeGpu();
const { dataset, chunk: chunkOf } = paperData();
const trainer = await createGpuTrainer(gpu.device, paperConfig(0), { skipZeroInputWords: process.env.DENSE !== '1' });
const handle = await trainer.addDataset(dataset);
const steps = Number(process.env.STEPS ?? 100);
const chunk = () => chunkOf(steps);
await trainer.train(handle, chunk());
const c0 = process.cpuUsage(); const t0 = performance.now();
const n = Number(process.env.CHUNKS ?? 30);
if (!Number.isInteger(n) || n < 1) throw new RangeError(`CHUNKS must be a positive integer, got ${process.env.CHUNKS}`);
const chunkMs: number[] = [];
for (let i = 0; i < n; i++) {
  const t = performance.now();
  await trainer.train(handle, chunk());
  chunkMs.push(performance.now() - t);
}
const c = process.cpuUsage(c0);
const median = chunkMs.sort((a, b) => a - b)[Math.floor(n / 2)];
console.log(`${((performance.now() - t0) / n / steps * 1000).toFixed(0)} µs/step wall (median chunk ${(median / steps * 1000).toFixed(0)}), ${((c.user + c.system) / n / steps).toFixed(0)} µs/step CPU`);
gpu.destroy();
