// The lab's sweep runner in Node on the CPU engine (no browser needed): round-robin chunking with adaptive sizes
// must train each run exactly as a plain step-by-step loop over the same data order does.
import { describe, expect, test } from 'vitest';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { epochOrder } from '../../src/train/epoch_order';
import { mnistSplit } from '../../src/web/dev_server/mnist_slice';
import { firstSamples } from '../../src/web/first_samples';
import { defaultLabConfig, labArms, type LabConfig } from '../../src/web/lab_config';
import { runSweep } from '../../src/web/sweep_runner';

// 100 samples in batches of 30: three full batches and a last one of 10 (PyTorch's drop_last=False).
const CONFIG: LabConfig = {
  ...defaultLabConfig(), hidden: [8], lambdas: [0, 0.05], decayModes: ['coupled'], epochs: 2, batchSize: 30, trainSubset: 100, testSubset: 50, lr: 0.05,
};

describe('runSweep', () => {
  test('equals a plain per-step loop for every run, bit for bit', async () => {
    const train = mnistSplit('train');
    const test = mnistSplit('test');
    const outcome = await runSweep(CONFIG, train, test, async (c) => createCpuTrainer(c), 'cpu', new AbortController().signal);
    const stepsPerEpoch = Math.ceil(CONFIG.trainSubset / CONFIG.batchSize);
    for (const [r, arm] of labArms(CONFIG).entries()) {
      const reference = createCpuTrainer(arm.config);
      const trainSet = firstSamples(train, CONFIG.trainSubset);
      const handle = await reference.addDataset(trainSet);
      for (let epoch = 0; epoch < CONFIG.epochs; epoch++) {
        const order = epochOrder(trainSet.count, CONFIG.seed, epoch, true);
        for (let start = 0; start < order.length; start += CONFIG.batchSize) {
          const indices = order.subarray(start, Math.min(start + CONFIG.batchSize, order.length));
          await reference.train(handle, { indices, batchSize: indices.length, lrs: Float32Array.of(CONFIG.lr) });
        }
      }
      expect(reference.step).toBe(CONFIG.epochs * stepsPerEpoch);
      const [got, want] = [await outcome.trainers[r].getParams(), await reference.getParams()];
      got.forEach((layer, l) => {
        expect(Array.from(layer.weight), `${arm.label} layer ${l} weight`).toEqual(Array.from(want[l].weight));
        expect(Array.from(layer.bias), `${arm.label} layer ${l} bias`).toEqual(Array.from(want[l].bias));
      });
      const testHandle = await reference.addDataset(firstSamples(test, CONFIG.testSubset));
      const evaluation = await reference.evaluate(testHandle);
      expect(outcome.finalEvaluations[r]).toEqual({ label: arm.label, correct: evaluation.correct, count: 50, accuracy: evaluation.accuracy, loss: evaluation.loss });
      const run = outcome.results.runs[r];
      expect(run.history.map((h) => h.epoch)).toEqual([0, 1, 2]);
      expect(run.history.at(-1)!.step).toBe(CONFIG.epochs * stepsPerEpoch);
      expect(run.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(8 * 784);
      reference.destroy();
      outcome.trainers[r].destroy();
    }
    // Decay acted: the decayed run ends with the smaller weights.
    const norm = (r: number) => Math.hypot(...outcome.results.runs[r].history.at(-1)!.weightNorms);
    expect(norm(1)).toBeLessThan(norm(0));
  });

  test('stops with an AbortError when aborted', async () => {
    const stop = new AbortController();
    stop.abort();
    await expect(runSweep(CONFIG, mnistSplit('train'), mnistSplit('test'), async (c) => createCpuTrainer(c), 'cpu', stop.signal)).rejects.toThrow('training stopped');
  });
});
