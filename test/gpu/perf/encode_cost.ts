// One-off measurement (not a test): host time to encode and submit a 200-step training chunk (784-128-10 MLP, batch
// 64, plain SGD) and the wait for the GPU, per step, 5 rounds, each on a fresh chunk of random batches (newChunk); the
// last figure of a line is the whole chunk per step.
// Run: ./node_modules/.bin/esbuild test/gpu/perf/encode_cost.ts --bundle --platform=node --format=esm \
//        --loader:.wgsl=text --external:webgpu --outfile=out/encode_cost.mjs && ./node_modules/.bin/node out/encode_cost.mjs
import { awaitGpu } from '../../../src/gpu/idle_wait';
import { warmPaperTrainer } from './paper_workload';

const steps = 200;
const { gpu, encodeStep, newChunk } = await warmPaperTrainer(steps);
const device = gpu.device;
for (let r = 0; r < 5; r++) {
  newChunk();
  const t0 = performance.now();
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (let s = 0; s < steps; s++) encodeStep(pass);
  pass.end();
  const cb = enc.finish();
  const t1 = performance.now();
  device.queue.submit([cb]);
  const t2 = performance.now();
  await awaitGpu(device, device.queue.onSubmittedWorkDone());
  const t3 = performance.now();
  console.log(`encode ${((t1 - t0) * 1000 / steps).toFixed(1)} µs/step, submit ${((t2 - t1) * 1000 / steps).toFixed(1)} µs/step, wait ${((t3 - t2) * 1000 / steps).toFixed(1)} µs/step, total ${((t3 - t0) * 1000 / steps).toFixed(0)}`);
}
process.exit(0);
