// Child process: decaylab's own engines (cpu | gpu | gpu-dense) train the paper's example through the Trainer interface.
// Usage: node decaylab_peer.mjs <workload JSON> <engine>
import { makeDataset } from '../../src/core/dataset';
import { readMnist } from '../mnist_idx';
import { cpuMs, peakRssMb, printProgress, printResult, readOrder, runChild, readWorkload } from './child_io';
import { createBenchTrainer, engineSystemName, isEngine } from './decaylab_engines';

async function main(): Promise<void> {
  const w = readWorkload();
  const engineArg = process.argv[3] ?? '';
  if (!isEngine(engineArg)) throw new Error(`unknown decaylab engine '${engineArg}' (cpu | gpu | gpu-dense)`);
  const train = readMnist(w.mnistDir, 'train');
  const test = readMnist(w.mnistDir, 'test');
  const order = readOrder(w);
  const { trainer, description, release } = await createBenchTrainer(engineArg, w);
  try {
    const trainHandle = await trainer.addDataset(makeDataset(train.pixels, train.labels, 784, 10));
    const testHandle = await trainer.addDataset(makeDataset(test.pixels, test.labels, 784, 10));
    // Chunks end at the warm-up boundary and at every log point: there the engine reads its metrics back.
    const runChunk = async (from: number, to: number): Promise<number> => {
      const r = await trainer.train(trainHandle, {
        indices: order.subarray(from * w.batch, to * w.batch), batchSize: w.batch, lrs: new Float32Array(to - from).fill(w.lr),
      });
      return r.stepLosses[r.stepLosses.length - 1];
    };
    let finalLoss = NaN;
    if (w.warmupSteps > 0) finalLoss = await runChunk(0, w.warmupSteps);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let s = w.warmupSteps; s < w.steps; s += w.logEvery) {
      const end = Math.min(s + w.logEvery, w.steps);
      finalLoss = await runChunk(s, end);
      printProgress({ step: end, msPerStep: (performance.now() - t0) / (end - w.warmupSteps) });
    }
    const msPerStep = (performance.now() - t0) / (w.steps - w.warmupSteps);
    const cpuMsPerStep = cpuMs(process.cpuUsage(cpu0)) / (w.steps - w.warmupSteps);
    const evaluation = await trainer.evaluate(testHandle, { indices: Uint32Array.from({ length: w.testCount }, (_, i) => i) });
    printResult({
      system: engineSystemName(engineArg), engine: description, msPerStep, cpuMsPerStep, timedSteps: w.steps - w.warmupSteps,
      finalLoss, testAccuracy: evaluation.accuracy, peakRssMb: peakRssMb(),
    });
  } finally {
    trainer.destroy();
    release();
  }
}

runChild(main);
