// softmax_cross_entropy, the loss kernel of a batch, against the float64 CPU twins: the batch's labels read through
// its sample indices, per-row predictions and dLogits or probabilities, the batch's metrics in the step's slot, the last layer's bias gradient (gradient mode only) and the
// cursor's move, for one model and for a batched sweep's stacked models; rows of one class and batches larger than
// its one workgroup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOptimizer } from '../../src/core/optimizer';
import { Prng } from '../../src/core/prng';
import { biasBackward } from '../../src/cpu/dense';
import { softmaxCrossEntropy } from '../../src/cpu/softmax_cross_entropy';
import { SOFTMAX_MODE } from '../../src/gpu/kernels';
import { VARIANTS } from '../../src/gpu/kernel_variants';
import { PipelineCache } from '../../src/gpu/pipeline_cache';
import { packStepSlots } from '../../src/gpu/step_uniform';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { expectClose } from '../helpers/expect_close';
import { driverName, testGpu } from './helpers/gpu_device';
import { ErrorLog, maxAbs, randomF32 } from './helpers/random';
import { runKernel } from './helpers/run_kernel';

const U = 2 ** -24;
// (batch, classes, models): one sample, one class, odd sizes, batches over one workgroup (64 lanes), MNIST's 10
// classes, and stacked models of a batched sweep.
const SHAPES: [number, number, number][] = [[1, 2, 1], [7, 13, 1], [33, 17, 3], [300, 10, 1], [300, 10, 4], [1000, 3, 1]];
/** The bias gradient's place in the stacked parameters: model z's at z × P_STRIDE + DB_OFFSET. */
const DB_OFFSET = 5;
const SENTINEL = 7;

let gpu: NodeGpu;
let cache: PipelineCache;
const log = new ErrorLog();
beforeAll(async () => {
  gpu = await testGpu();
  cache = new PipelineCache(gpu.device, VARIANTS.software);
});
afterAll(() => {
  log.print(driverName(gpu.info));
  gpu.destroy();
});

function labelsFor(batch: number, classes: number, seed: number): Uint32Array {
  const rng = new Prng(seed);
  return Uint32Array.from({ length: batch }, () => rng.nextInt(classes));
}

/**
 * Slots 0 … 3 whose metrics entries are 2, 0, 3, 1 and whose batches start at 0, 1, INDEX_OFFSET, 2 in the indices: the
 * kernel must write the entry of the slot at the cursor, and read the labels of that slot's batch.
 */
const INDEX_OFFSET = 5;
const STEPS = packStepSlots([[2, 0], [0, 1], [3, INDEX_OFFSET], [1, 2]].map(([slot, indexOffset]) => ({ lr: 0, t: 0, slot, indexOffset })),
  defaultOptimizer('sgd'), { mode: 'l2', coefficient: 0, decayBiases: false });
const CURSOR = 2;
const SLOT = 3;

/** A dataset's labels and the indices of a batch of B of its samples (some repeated) at INDEX_OFFSET; the batch's labels. */
function batchLabels(B: number, C: number, seed: number): { labels: Uint32Array; indices: Uint32Array; batch: Uint32Array } {
  const count = B + 4;
  const labels = labelsFor(count, C, seed);
  const rng = new Prng(seed + 1);
  const indices = Uint32Array.from({ length: INDEX_OFFSET + B }, (_, i) => (i % 7 === 0 ? count - 1 : rng.nextInt(count)));
  return { labels, indices, batch: indices.subarray(INDEX_OFFSET).map((i) => labels[i]) };
}

describe('softmax_cross_entropy', () => {
  for (const [B, C, K] of SHAPES) {
    it(`${B}×${C}, ${K} model(s): predictions, dLogits or probabilities, metrics, bias gradient, cursor`, async () => {
      // Logits up to ±8 so that the max subtraction matters and some probabilities are tiny; each model its own.
      const logits = randomF32(K * B * C, B * 100 + C + K, -8, 8);
      const { labels: datasetLabels, indices, batch: labels } = batchLabels(B, C, B + C);
      const pStride = C + DB_OFFSET + 3;
      const ref = Array.from({ length: K }, (_, z) => {
        const grad = new Float64Array(B * C);
        const r = softmaxCrossEntropy(Float64Array.from(logits.subarray(z * B * C, (z + 1) * B * C)), labels, grad, B, C);
        const db = new Float64Array(C);
        biasBackward(grad, db, B, C);
        const predictions = Array.from({ length: B }, (_, row) => {
          let best = 0;
          for (let c = 1; c < C; c++) if (logits[z * B * C + row * C + c] > logits[z * B * C + row * C + best]) best = c;
          return best;
        });
        return { ...r, grad, db, predictions };
      });
      const run = (mode: number) => runKernel(cache, 'softmaxCrossEntropy',
        { batch: B, classes: C, mode, logitsStride: B * C, rowStride: B, models: K, dbOffset: DB_OFFSET, pStride },
        [logits, datasetLabels, indices, new Float32Array(K * B * C).fill(SENTINEL), K * B, 2 * 4 * K, new Float32Array(K * pStride).fill(SENTINEL)],
        () => [1, 1], STEPS, CURSOR);

      for (const mode of [SOFTMAX_MODE.gradient, SOFTMAX_MODE.probabilities, SOFTMAX_MODE.none]) {
        const [, , , out, predictions, metrics, grads, steps] = await run(mode);
        expect(new Uint32Array(steps)[0], 'cursor moved by one').toBe(CURSOR + 1);
        const f = new Float32Array(metrics);
        const u = new Uint32Array(metrics);
        const outs = new Float32Array(out);
        const g = new Float32Array(grads);
        for (let z = 0; z < K; z++) {
          const m = ref[z];
          expect(Array.from(new Uint32Array(predictions).subarray(z * B, (z + 1) * B)), `predictions of model ${z}`).toEqual(m.predictions);
          // Each row's loss is log(Σ exp) + max − logit: f32 exp/log are accurate to a few ulp of values ≤ |max| +
          // log C ≈ 10, so 32u·(1 + max|logit|) each; their f32 sum (per lane, then a tree over 64 lanes) adds
          // (B/64 + 7)·u relative, 4× that.
          const rl = expectClose([f[2 * (SLOT * K + z)]], [m.lossSum],
            { atol: B * 32 * U * (1 + maxAbs(logits)), rtol: 4 * (B / 64 + 7) * U }, `loss sum of model ${z}`);
          log.record('softmax_cross_entropy loss sum', `${B}×${C}×${K}`, rl.maxAbsError);
          expect(u[2 * (SLOT * K + z) + 1], `correct count of model ${z}`).toBe(m.correct);
          const dLogits = outs.subarray(z * B * C, (z + 1) * B * C);
          const db = g.subarray(z * pStride, (z + 1) * pStride);
          if (mode === SOFTMAX_MODE.gradient) {
            // dLogits are probabilities/B with a few ulp each: 32u/B absolute.
            const rg = expectClose(dLogits, m.grad, { atol: (32 * U) / B, rtol: 0 }, `dLogits of model ${z}`);
            log.record('softmax_cross_entropy dLogits', `${B}×${C}×${K}`, rg.maxAbsError);
            // Column sums of B such terms (|·| ≤ 1/B, partial sums ≤ 1): B·32u/B from the terms, B·u from the sum.
            const rb = expectClose(db.subarray(DB_OFFSET, DB_OFFSET + C), m.db, { atol: (32 + B) * U, rtol: 0 }, `bias gradient of model ${z}`);
            log.record('softmax_cross_entropy bias gradient', `${B}×${C}×${K}`, rb.maxAbsError);
          } else if (mode === SOFTMAX_MODE.probabilities) {
            const refProbs = m.grad.map((v, i) => v * B + (i % C === labels[Math.floor(i / C)] ? 1 : 0));
            expectClose(dLogits, refProbs, { atol: 32 * U, rtol: 0 }, `probabilities of model ${z}`);
          } else {
            expect(dLogits.every((v) => v === SENTINEL), 'mode none writes no per-class output').toBe(true);
          }
          // Only the bias gradient's C entries are written, and only in gradient mode.
          const written = mode === SOFTMAX_MODE.gradient ? [DB_OFFSET, DB_OFFSET + C] : [0, 0];
          expect(Array.from(db).every((v, i) => (i >= written[0] && i < written[1]) || v === SENTINEL), 'other parameters untouched').toBe(true);
        }
        // Only the entries of the cursor's slot are written.
        for (let e = 0; e < 4 * K; e++) if (Math.floor(e / K) !== SLOT) expect([f[2 * e], u[2 * e + 1]]).toEqual([0, 0]);
      }
    });
  }
});
