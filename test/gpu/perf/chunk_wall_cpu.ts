// One-off measurement (not a test): wall and CPU time per training step of the 784-128-10 MLP (batch 64, plain SGD)
// through GpuTrainer.train in 100-step chunks (STEPS=n: n-step chunks), as a training loop with a log point every 100
// steps runs it. CPU time counts every thread of the process: Dawn's polling, lavapipe's threads and JS.
// Run: ./node_modules/.bin/esbuild test/gpu/perf/chunk_wall_cpu.ts --bundle --platform=node --format=esm \
//        --loader:.wgsl=text --external:webgpu --outfile=out/chunk_wall_cpu.mjs && ./node_modules/.bin/node out/chunk_wall_cpu.mjs
import { makeDataset } from '../../../src/core/dataset';
import { defaultOptimizer } from '../../../src/core/optimizer';
import { Prng } from '../../../src/core/prng';
import { createGpuTrainer } from '../../../src/gpu/gpu_trainer';
import { createNodeGpu } from '../../../src/node/webgpu_node';
const gpu = await createNodeGpu();
const rng = new Prng(1);
const count = 10_000, B = 64;
const ds = makeDataset(Uint8Array.from({ length: count * 784 }, () => rng.nextInt(256)), Uint8Array.from({ length: count }, () => rng.nextInt(10)), 784, 10);
const trainer = await createGpuTrainer(gpu.device, { spec: { inputSize: 784, hidden: [128], classes: 10 }, optimizer: defaultOptimizer('sgd', { momentum: 0 }), decay: { mode: 'coupled', coefficient: 1e-4, decayBiases: false }, seed: 1 });
const handle = await trainer.addDataset(ds);
const steps = Number(process.env.STEPS ?? 100);
const chunk = () => ({ indices: Uint32Array.from({ length: steps * B }, () => rng.nextInt(count)), batchSize: B, lrs: new Float32Array(steps).fill(0.01) });
await trainer.train(handle, chunk());
const c0 = process.cpuUsage(); const t0 = performance.now();
const n = 30;
for (let i = 0; i < n; i++) await trainer.train(handle, chunk());
const c = process.cpuUsage(c0);
console.log(`${((performance.now() - t0) / n / steps * 1000).toFixed(0)} µs/step wall, ${((c.user + c.system) / n / steps).toFixed(0)} µs/step CPU`);
gpu.destroy();
