// One-off measurement (not a test): where a training step's time goes on this adapter. Each dispatch of a step of the
// 784-128-10 MLP (batch 64, SGD momentum, coupled decay) is repeated alone in one compute pass and timed; their sum is
// compared with whole steps. MODELS=5 profiles a batched sweep of 5 models instead; MOMENTUM=0 plain SGD; POLL=1 times
// the dispatches polling (without the idle wait of src/gpu/idle_wait.ts); F32=1 trains on the pixels as float32
// features (the gathered f32 path instead of layer 0's uint8 kernels). Reaches into the trainer's private plan on
// purpose: this is a profiler, not an API.
// Run: ./node_modules/.bin/esbuild test/gpu/perf/step_profile.ts --bundle --platform=node --format=esm \
//        --loader:.wgsl=text --external:webgpu --outfile=out/step_profile.mjs && ./node_modules/.bin/node out/step_profile.mjs
import { encodeDispatch, type Dispatch } from '../../../src/gpu/dispatch';
import { createGpuSweep } from '../../../src/gpu/gpu_sweep';
import { createGpuTrainer } from '../../../src/gpu/gpu_trainer';
import { createNodeGpu } from '../../../src/node/webgpu_node';
import { IDLE_FRACTION, idleMs } from '../../../src/gpu/idle_wait';
import { submitAndWait } from '../../../bench/kernels/gpu_timing';
import { PAPER_BATCH, paperConfig, paperData } from './paper_workload';

const gpu = await createNodeGpu();
const device = gpu.device;
const { dataset: paperDataset, chunk: chunkOf } = paperData();
const dataset = process.env.F32 ? { ...paperDataset, features: Float32Array.from(paperDataset.features) } : paperDataset;
const B = PAPER_BATCH;
const models = Number(process.env.MODELS ?? 1);
const configs = Array.from({ length: models }, (_, m) => paperConfig(Number(process.env.MOMENTUM ?? 0.9), m));
const sweep = models > 1 ? await createGpuSweep(device, configs) : undefined;
const trainer = sweep ?? await createGpuTrainer(device, configs[0]);
const handle = await trainer.addDataset(dataset);
const steps = Number(process.env.STEPS ?? 200);
const chunk = () => chunkOf(steps);
await trainer.train(handle, chunk());
let stepMs = Infinity;
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  await trainer.train(handle, chunk());
  stepMs = Math.min(stepMs, (performance.now() - t0) / steps);
}

interface PlanInternals {
  inputDispatches(ds: unknown): {
    gather: Dispatch | null; forward0: Dispatch; loss: { gradient: Dispatch }; backwardWeight0: Dispatch; backwardBias0: Dispatch | null;
    head: Dispatch | null;
  };
  forward: Dispatch[]; backward: Dispatch[]; optimizerSteps: Dispatch[];
}
const internals = (sweep ? (sweep as unknown as { stack: unknown }).stack : trainer) as { plans: Map<number, PlanInternals>; datasets: unknown[] };
const plan = internals.plans.get(B);
if (!plan) throw new Error(`no plan for batch ${B}`);
// In the order encodeTrainStep issues them (the head kernel, where the plan has one, in place of the last forward and
// the loss). Timed alone and repeated, the loss or head kernel moves the cursor on and on, past the plan's slots,
// where WebGPU's robust access clamps its reads and writes: the same work as one step's.
const input = plan.inputDispatches(internals.datasets[0]);
const head = input.head ? [...plan.forward.slice(0, -1), input.head] : [...plan.forward, input.loss.gradient];
const list: Dispatch[] = [...(input.gather ? [input.gather] : []), input.forward0, ...head, ...plan.backward, input.backwardWeight0, ...(input.backwardBias0 ? [input.backwardBias0] : []), ...plan.optimizerSteps];

async function timeRepeated(d: Dispatch, n: number, idle: number): Promise<number> {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (let i = 0; i < n; i++) encodeDispatch(pass, d);
  pass.end();
  const commands = enc.finish();
  const t0 = performance.now();
  await submitAndWait(device, commands, idle);
  return (performance.now() - t0) / n;
}
const best = list.map(() => Infinity);
// The idle wait as in gemm_variants.ts: round 0 polls, round 1 sleeps half the expected time, later rounds more.
for (let r = 0; r < 6; r++) {
  const fraction = process.env.POLL || r === 0 ? 0 : r === 1 ? 0.5 : IDLE_FRACTION;
  for (const [i, d] of list.entries()) best[i] = Math.min(best[i], await timeRepeated(d, 100, idleMs({ fastestMs: best[i] }, 100, fraction)));
}
let sum = 0;
for (const [i, d] of list.entries()) {
  sum += best[i];
  console.log(`${d.kernel.def.name.padEnd(34)} ${String(d.counts.join('×')).padEnd(8)} ${(best[i] * 1000).toFixed(0).padStart(6)} µs`);
}
console.log(`${models} model(s): sum of dispatches ${(sum * 1000).toFixed(0)} µs; whole step ${(stepMs * 1000).toFixed(0)} µs (${(models * 1000 / stepMs).toFixed(0)} model-steps/s)`);
gpu.destroy();
