// Child process: does the GPU engine's memory stay flat? Trains N epochs and records, after each, the resident set
// and the number of memory mappings (a bind group or buffer made per step shows up as growth of either).
// Usage: node gpu_memory.mjs '<{"mnistDir", "epochs", "stepsPerEpoch", "seed"}>'
import { makeDataset } from '../../src/core/dataset';
import { epochOrder } from '../../src/train/epoch_order';
import { readMnist } from '../mnist_idx';
import { paperWorkload, MNIST_TRAIN_COUNT } from '../workload';
import { mapCount, peakRssMb, printResult, runChild } from './child_io';
import { createBenchTrainer } from './decaylab_engines';
import { readFileSync } from 'node:fs';

export interface EpochMemory {
  epoch: number;
  rssMb: number;
  maps: number;
}

export interface MemoryResult {
  epochs: EpochMemory[];
  stepsPerEpoch: number;
  /** Peak RSS after the first epoch: what one GPU-engine epoch needs. */
  firstEpochPeakRssMb: number;
  peakRssMb: number;
}

function rssMb(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error('VmRSS not found in /proc/self/status (Linux only)');
  return (Number(m[1]) * 1024) / 1e6;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as { mnistDir: string; epochs: number; stepsPerEpoch: number; seed: number };
  const w = paperWorkload(o.mnistDir, '', o.stepsPerEpoch);
  w.seed = o.seed;
  const train = readMnist(o.mnistDir, 'train');
  const { trainer, release } = await createBenchTrainer('gpu', w);
  try {
    const handle = await trainer.addDataset(makeDataset(train.pixels, train.labels, 784, 10));
    const lrs = new Float32Array(100).fill(w.lr);
    const epochs: EpochMemory[] = [];
    let firstEpochPeakRssMb = 0;
    for (let e = 0; e < o.epochs; e++) {
      const order = epochOrder(MNIST_TRAIN_COUNT, o.seed, e, true);
      for (let s = 0; s < o.stepsPerEpoch; s += 100) {
        const steps = Math.min(100, o.stepsPerEpoch - s);
        // An epoch of 938 steps wraps past 60,000 samples by 32: those come from the start of the order again.
        const indices = new Uint32Array(steps * w.batch).map((_, i) => order[(s * w.batch + i) % order.length]);
        await trainer.train(handle, { indices, batchSize: w.batch, lrs: lrs.subarray(0, steps) });
      }
      epochs.push({ epoch: e + 1, rssMb: rssMb(), maps: mapCount() });
      if (e === 0) firstEpochPeakRssMb = peakRssMb();
    }
    const result: MemoryResult = { epochs, stepsPerEpoch: o.stepsPerEpoch, firstEpochPeakRssMb, peakRssMb: peakRssMb() };
    printResult(result);
  } finally {
    trainer.destroy();
    release();
  }
}

runChild(main);
