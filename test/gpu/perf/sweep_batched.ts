// One-off measurement (not a test): a K-λ sweep (K = 5 unless given) of the 784-128-10 MLP at batch 64 (SGD, coupled
// decay), 200 steps per model, trained as one batched GpuSweep (all models in the same dispatches) and as K single
// GpuTrainers run one after another; interleaved rounds, best kept (the machine is shared and noisy). Steps/s counts
// model-steps.
// Run: ./node_modules/.bin/esbuild test/gpu/perf/sweep_batched.ts --bundle --platform=node --format=esm \
//        --loader:.wgsl=text --external:webgpu --outfile=out/sweep_batched.mjs && ./node_modules/.bin/node out/sweep_batched.mjs [rounds] [K]
import { makeDataset } from '../../../src/core/dataset';
import { defaultOptimizer } from '../../../src/core/optimizer';
import { Prng } from '../../../src/core/prng';
import type { TrainerConfig } from '../../../src/core/trainer';
import { createGpuSweep } from '../../../src/gpu/gpu_sweep';
import { createGpuTrainer } from '../../../src/gpu/gpu_trainer';
import { createNodeGpu } from '../../../src/node/webgpu_node';

const STEPS = 200;
const BATCH = 64;
const CHUNK = 50;
const rounds = Number(process.argv[2] ?? 3);
const models = Number(process.argv[3] ?? 5);
if (!Number.isInteger(models) || models < 2) throw new RangeError(`K must be an integer ≥ 2, got ${process.argv[3]}`);
// λ = 0, then K − 1 values log-spaced from 1e-5 to 1e-2 (K = 5: 0, 1e-5, 1e-4, 1e-3, 1e-2).
const LAMBDAS = [0, ...Array.from({ length: models - 1 }, (_, i) => 10 ** (-5 + (3 * i) / (models - 2 || 1)))];

const gpu = await createNodeGpu();
const device = gpu.device;
console.log(`adapter ${gpu.info.vendor}/${gpu.info.architecture} ${gpu.info.description}`);
const rng = new Prng(1);
const count = 10_000;
const ds = makeDataset(Uint8Array.from({ length: count * 784 }, () => rng.nextInt(256)),
  Uint8Array.from({ length: count }, () => rng.nextInt(10)), 784, 10);
const configs: TrainerConfig[] = LAMBDAS.map((coefficient) => ({
  spec: { inputSize: 784, hidden: [128], classes: 10 }, optimizer: defaultOptimizer('sgd', { lr: 0.01 }),
  decay: { mode: 'coupled', coefficient, decayBiases: false }, seed: 1,
}));
const chunks = Array.from({ length: STEPS / CHUNK }, () => ({
  indices: Uint32Array.from({ length: CHUNK * BATCH }, () => rng.nextInt(count)),
  batchSize: BATCH,
  lrs: new Float32Array(CHUNK).fill(0.01),
}));

const sweep = await createGpuSweep(device, configs);
const hs = await sweep.addDataset(ds);
const singles = await Promise.all(configs.map(async (c) => {
  const t = await createGpuTrainer(device, c);
  return { t, h: await t.addDataset(ds) };
}));
// Warm-up: plans (buffers, bind groups) for batch 64 and the first submits.
await sweep.train(hs, chunks[0]);
for (const s of singles) await s.t.train(s.h, chunks[0]);

const best = { batched: Infinity, singles: Infinity };
for (let r = 0; r < rounds; r++) {
  let t0 = performance.now();
  for (const c of chunks) await sweep.train(hs, c);
  best.batched = Math.min(best.batched, performance.now() - t0);
  t0 = performance.now();
  for (const s of singles) for (const c of chunks) await s.t.train(s.h, c);
  best.singles = Math.min(best.singles, performance.now() - t0);
  console.log(`round ${r + 1}: batched ${best.batched.toFixed(0)} ms, ${models} singles ${best.singles.toFixed(0)} ms (best so far)`);
}
const modelSteps = LAMBDAS.length * STEPS;
const rate = (ms: number): string => (modelSteps / (ms / 1000)).toFixed(1);
console.log(`${LAMBDAS.length}-λ sweep, 784-128-10, batch ${BATCH}, ${STEPS} steps each (${modelSteps} model-steps):`);
console.log(`  batched GpuSweep:    ${best.batched.toFixed(0)} ms, ${rate(best.batched)} model-steps/s`);
console.log(`  ${models} single trainers:  ${best.singles.toFixed(0)} ms, ${rate(best.singles)} model-steps/s`);
console.log(`  speed-up: ${(best.singles / best.batched).toFixed(2)}×`);
sweep.destroy();
for (const s of singles) s.t.destroy();
gpu.destroy();
