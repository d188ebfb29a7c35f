// One-off measurement (not a test): training steps/s of the 784-128-10 MLP at batch 64 (SGD momentum, coupled decay;
// MOMENTUM=0 plain SGD) under several kernel variants, interleaved in rounds and best kept (the machine is shared and noisy).
// Run: ./node_modules/.bin/esbuild test/gpu/perf/train_steps.ts --bundle --platform=node --format=esm \
//        --loader:.wgsl=text --external:webgpu --outfile=out/train_steps.mjs && ./node_modules/.bin/node out/train_steps.mjs
import { makeDataset } from '../../../src/core/dataset';
import { defaultOptimizer } from '../../../src/core/optimizer';
import { Prng } from '../../../src/core/prng';
import type { Trainer } from '../../../src/core/trainer';
import { createGpuTrainer, type GpuTrainerOptions } from '../../../src/gpu/gpu_trainer';
import { selectVariant, VARIANTS, withSubgroups } from '../../../src/gpu/kernel_variants';
import { createNodeGpu } from '../../../src/node/webgpu_node';

const gpu = await createNodeGpu();
const device = gpu.device;
const rng = new Prng(1);
const count = 10_000;
const ds = makeDataset(Uint8Array.from({ length: count * 784 }, () => rng.nextInt(256)),
  Uint8Array.from({ length: count }, () => rng.nextInt(10)), 784, 10);
const sg = selectVariant(gpu.info, device.features).subgroupSize;
const options: Record<string, GpuTrainerOptions> = {
  'software, 4×4 vec4 kernels': { variant: { ...VARIANTS.software, name: 'software-4x4', blocked: undefined } },
  'software, no subgroups': { variant: VARIANTS.software },
  'static choice': {},
  ...(sg ? Object.fromEntries((['denseForwardShuffle16x4', 'denseForwardShuffle16x2'] as const).map((f) => [`subgroups, ${f}`, { variant: withSubgroups(VARIANTS.software, sg, f) }])) : {}),
};
if (process.env.AUTOTUNE) options['autotuned at batch 64'] = { autotuneBatch: 64 };
const trainers: [string, Trainer, Awaited<ReturnType<Trainer['addDataset']>>][] = [];
for (const [label, o] of Object.entries(options)) {
  const t0 = performance.now();
  const t = await createGpuTrainer(device, {
    spec: { inputSize: 784, hidden: [128], classes: 10 }, optimizer: defaultOptimizer('sgd', { momentum: Number(process.env.MOMENTUM ?? 0.9) }),
    decay: { mode: 'coupled', coefficient: 1e-4, decayBiases: false }, seed: 1,
  }, o);
  console.log(`${label}: created in ${(performance.now() - t0).toFixed(0)} ms`);
  trainers.push([label, t, await t.addDataset(ds)]);
}
const steps = Number(process.env.STEPS ?? 200);
const chunk = () => ({ indices: Uint32Array.from({ length: steps * 64 }, () => rng.nextInt(count)), batchSize: 64, lrs: new Float32Array(steps).fill(0.01) });
const best = trainers.map(() => 0);
for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
  for (const [i, [, t, h]] of trainers.entries()) {
    const t0 = performance.now();
    await t.train(h, chunk());
    best[i] = Math.max(best[i], steps / ((performance.now() - t0) / 1000));
  }
}
trainers.forEach(([label], i) => console.log(`${label}: ${best[i].toFixed(0)} steps/s`));
gpu.destroy();
