// The GPU-side step cursor (shaders/step_uniform.wgsl, src/gpu/step_uniform.ts): kernels read the slot it names, the
// loss kernel moves it one slot per training step and evaluation batch, and each chunk or evaluation starts it at its own slot 0,
// even when it is queued behind others on the same batch plan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOptimizer } from '../../src/core/optimizer';
import type { ModelParams } from '../../src/core/params';
import type { TrainChunk, TrainerConfig } from '../../src/core/trainer';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { createGpuTrainer } from '../../src/gpu/gpu_trainer';
import { VARIANTS } from '../../src/gpu/kernel_variants';
import { PipelineCache } from '../../src/gpu/pipeline_cache';
import { packStepSlots, STEP_SLOTS_OFFSET } from '../../src/gpu/step_uniform';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose, type Tolerance } from '../helpers/expect_close';
import { testGpu } from './helpers/gpu_device';
import { runKernel } from './helpers/run_kernel';
import { randomChunk, syntheticDataset } from './helpers/synthetic';

const DATA = syntheticDataset(97, 13, 3, 7, 'u8');
const CONFIG: TrainerConfig = {
  spec: { inputSize: 13, hidden: [7, 5], classes: 3 },
  // Momentum: the first step (firstStep = 1 in slot 0 only) differs from the others, so a misplaced slot shows.
  optimizer: defaultOptimizer('sgd', { lr: 0.3, momentum: 0.9 }),
  decay: { mode: 'decoupled', coefficient: 0.1, decayBiases: false },
  seed: 21,
};
/**
 * GPU vs CPU engine after a few steps (f32 summation orders differ): measured ≤ 2.4e-7 after 9 steps on lavapipe and
 * SwiftShader; atol 3e-6 leaves >10× for other drivers. A step that read the wrong slot (another learning rate, batch
 * or first-step flag) moves params by ≥ 1e-3.
 */
const FEW_STEPS: Tolerance = { atol: 3e-6, rtol: 1e-6 };

let gpu: NodeGpu;
beforeAll(async () => { gpu = await testGpu(); });
afterAll(() => gpu.destroy());

const flat = (p: ModelParams): number[] => p.flatMap((l) => [...l.weight, ...l.bias]);

describe('the slot the cursor names', () => {
  it('the loss kernel writes the metrics of the slot at the cursor, then moves the cursor by one and nothing else', async () => {
    const cache = new PipelineCache(gpu.device, VARIANTS.software);
    const opt = defaultOptimizer('sgd');
    // Three slots whose metrics indices differ; the cursor names the last one, which sends the sums to entry 1.
    const step = packStepSlots([4, 0, 1].map((slot) => ({ lr: 0, t: 0, slot, indexOffset: 0 })), opt, { mode: 'l2', coefficient: 0, decayBiases: false });
    // Two rows of two classes, logits (0, 0): each row's loss is ln 2, the first class is predicted and right once
    // (samples 0 and 1 of labels 0 and 1; every slot's batch starts at index 0).
    const [, , , , , metrics, , after] = await runKernel(cache, 'softmaxCrossEntropy', { batch: 2, classes: 2, mode: 2 },
      [new Float32Array(4), Uint32Array.of(0, 1), Uint32Array.of(0, 1), 4, 2, 2 * 5, 1], () => [1, 1], step, 2);
    const f = new Float32Array(metrics);
    const u = new Uint32Array(metrics);
    expect(f[2]).toBeCloseTo(2 * Math.LN2, 6);
    expect(u[3]).toBe(1);
    expect([...f.slice(0, 2), ...f.slice(4)]).toEqual(new Array(8).fill(0));
    // The cursor, then the slots as written.
    const words = new Uint32Array(after);
    expect(words[0]).toBe(3);
    expect(new Uint8Array(after).subarray(STEP_SLOTS_OFFSET)).toEqual(step);
  });

  it('an optimizer kernel after the loss reads the slot before the cursor', async () => {
    const cache = new PipelineCache(gpu.device, VARIANTS.software);
    const opt = defaultOptimizer('sgd', { momentum: 0 });
    // Learning rates 1, 2, 3 in slots 0 … 2. runKernel writes cursor 2 for a 'stepAfterLoss' kernel asked to read
    // slot 1 (as the loss kernel leaves it), so slot 1's lr 2 must apply, not the cursor's slot 2 (lr 3).
    const step = packStepSlots([1, 2, 3].map((lr, i) => ({ lr, t: i + 1, slot: i, indexOffset: 0 })), opt,
      { mode: 'l2', coefficient: 0, decayBiases: false });
    const [params] = await runKernel(cache, 'sgdStep', { offset: 0, count: 4, isBias: 0, nesterov: 0, momentum: 0, dampening: 0 },
      [new Float32Array(4).fill(1), new Float32Array(4).fill(0.5), 4], (k) => [Math.ceil(4 / k.workgroup[0]), 1], step, 1);
    // θ = 1, g = 0.5, lr 2: 1 − 2·0.5 = 0 exactly (lr 3 would give −0.5, lr 1 0.5).
    expect(Array.from(new Float32Array(params))).toEqual([0, 0, 0, 0]);
  });
});

describe('GpuTrainer steps through its slots', () => {
  it('a 3-step chunk with learning rates 0.3, 0, 0.05 matches the CpuTrainer with those rates', async () => {
    const g = await createGpuTrainer(gpu.device, CONFIG, { variant: VARIANTS.software });
    const c = createCpuTrainer(CONFIG);
    const [dg, dc] = [await g.addDataset(DATA), await c.addDataset(DATA)];
    // lr 0 in the middle: had every step read slot 0, all three would take lr 0.3 on the first batch.
    const chunk: TrainChunk = { ...randomChunk(DATA.count, 3, 9, 0.3, 5), lrs: Float32Array.of(0.3, 0, 0.05) };
    const [rg, rc] = [await g.train(dg, chunk), await c.train(dc, chunk)];
    // One loss per step, each of its own batch (and metrics entry): O(1) values, f32 summation orders.
    expectClose(rg.stepLosses, rc.stepLosses, { atol: 1e-6, rtol: 1e-6 }, 'step losses');
    expect(rg.correct).toBe(rc.correct);
    expectClose(flat(await g.getParams()), flat(await c.getParams()), FEW_STEPS, 'params after 3 steps');
    // A second chunk starts again at slot 0 (not at slot 3, which this chunk never wrote).
    const next: TrainChunk = { ...randomChunk(DATA.count, 2, 9, 0.1, 6), lrs: Float32Array.of(0.1, 0.2) };
    expectClose((await g.train(dg, next)).stepLosses, (await c.train(dc, next)).stepLosses, { atol: 1e-6, rtol: 1e-6 }, 'second chunk losses');
    expectClose(flat(await g.getParams()), flat(await c.getParams()), FEW_STEPS, 'params after 5 steps');
    g.destroy();
    c.destroy();
  });

  it('two chunks and an evaluation queued back to back, unawaited, give what awaiting each gives', async () => {
    // Batch 7 for the chunks and 7 evaluation samples: all three share one batch plan, its slots and its cursor.
    const c1 = randomChunk(DATA.count, 5, 7, 0.3, 1);
    const c2 = randomChunk(DATA.count, 4, 7, 0.3, 2);
    const evalIndices = Uint32Array.of(3, 96, 0, 41, 41, 17, 60);
    const queued = await createGpuTrainer(gpu.device, CONFIG, { variant: VARIANTS.software });
    const dq = await queued.addDataset(DATA);
    const [q1, qe, q2] = await Promise.all([queued.train(dq, c1), queued.evaluate(dq, { indices: evalIndices }), queued.train(dq, c2)]);
    expect(queued.step).toBe(9);

    const awaited = await createGpuTrainer(gpu.device, CONFIG, { variant: VARIANTS.software });
    const da = await awaited.addDataset(DATA);
    const a1 = await awaited.train(da, c1);
    const ae = await awaited.evaluate(da, { indices: evalIndices });
    const a2 = await awaited.train(da, c2);
    // Same device, kernels and inputs in the same order: bit-identical.
    expect(Array.from(q1.stepLosses)).toEqual(Array.from(a1.stepLosses));
    expect(qe).toEqual(ae);
    expect(Array.from(q2.stepLosses)).toEqual(Array.from(a2.stepLosses));
    expect(flat(await queued.getParams())).toEqual(flat(await awaited.getParams()));

    // And both are right: the CPU engine, step by step.
    const c = createCpuTrainer(CONFIG);
    const dc = await c.addDataset(DATA);
    expectClose(a1.stepLosses, (await c.train(dc, c1)).stepLosses, { atol: 1e-6, rtol: 1e-6 }, 'first chunk losses');
    const ce = await c.evaluate(dc, { indices: evalIndices });
    // A mean over 7 samples of O(1) losses in f32: relative 1e-5 as in trainer_vs_cpu.test.ts.
    expectClose([ae.loss], [ce.loss], { atol: 0, rtol: 1e-5 }, 'evaluation loss');
    expectClose(a2.stepLosses, (await c.train(dc, c2)).stepLosses, { atol: 1e-6, rtol: 1e-6 }, 'second chunk losses');
    expectClose(flat(await awaited.getParams()), flat(await c.getParams()), FEW_STEPS, 'params after 9 steps');
    queued.destroy();
    awaited.destroy();
    c.destroy();
  });
});
