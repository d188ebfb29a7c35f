// One-off measurement (not a test): the marginal cost of a small dispatch inside a real step. Steps are encoded as
// usual, or with `EXTRA` (default 6) repeats of an idempotent small dispatch (layer 0's bias gradient) added;
// 8 interleaved rounds of 200-step chunks of the 784-128-10 MLP, plain SGD.
// Run: ./node_modules/.bin/esbuild test/gpu/perf/extra_dispatch_cost.ts --bundle --platform=node --format=esm \
//        --loader:.wgsl=text --external:webgpu --outfile=out/extra.mjs && ./node_modules/.bin/node out/extra.mjs
import { encodeDispatch, type Dispatch } from '../../../src/gpu/dispatch';
import { awaitGpu } from '../../../src/gpu/idle_wait';
import { warmPaperTrainer } from './paper_workload';

const steps = 200;
const warm = await warmPaperTrainer(steps);
const device = warm.gpu.device;
const plan = warm.plan as { layer0Bias: () => Dispatch };
const extraDispatch = plan.layer0Bias();
const extra = Number(process.env.EXTRA ?? 6);
async function run(withExtra: boolean): Promise<number> {
  warm.newChunk();
  const t0 = performance.now();
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (let s = 0; s < steps; s++) {
    warm.encodeStep(pass);
    if (withExtra) for (let i = 0; i < extra; i++) encodeDispatch(pass, extraDispatch);
  }
  pass.end();
  device.queue.submit([enc.finish()]);
  await awaitGpu(device, device.queue.onSubmittedWorkDone());
  return (performance.now() - t0) * 1000 / steps;
}
const base: number[] = [];
const more: number[] = [];
for (let r = 0; r < 8; r++) { base.push(await run(false)); more.push(await run(true)); }
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`base ${base.map((x) => x.toFixed(0)).join(' ')}\n+${extra}  ${more.map((x) => x.toFixed(0)).join(' ')}`);
console.log(`median base ${med(base).toFixed(0)} µs/step, +${extra} dispatches ${med(more).toFixed(0)}: ${((med(more) - med(base)) / extra).toFixed(1)} µs per extra dispatch`);
process.exit(0);
