// Trains the runs of a lab sweep side by side: every run gets a chunk of steps in turn (round robin),
// and the page gets the main thread back between rounds. Engine-agnostic: it only sees the Trainer interface.
import type { Dataset } from '../core/dataset';
import { firstSamples } from './first_samples';
import type { Trainer, TrainerConfig } from '../core/trainer';
import { epochOrder } from '../train/epoch_order';
import { nextFrame } from './frame';
import { histogram } from './histogram';
import { labArms, type LabConfig } from './lab_config';
import type { EpochRecord, LabResults, RunRecord } from './lab_results';

export type TrainerFactory = (config: TrainerConfig) => Promise<Trainer>;

export interface SweepProgress {
  epoch: number;
  epochs: number;
  /** Steps of one run done so far, and in total. */
  step: number;
  totalSteps: number;
  /** Optimizer steps per second over all runs, measured over the training chunks only. */
  stepsPerSecond: number;
}

export interface SweepCallbacks {
  onProgress?(p: SweepProgress, results: LabResults): void;
  /** After each evaluation (epoch 0 is the initial model). */
  onEpoch?(results: LabResults): void;
}

/** The engine's final evaluation of each run on the test subset, kept for checks against another engine. */
export interface FinalEvaluation {
  label: string;
  correct: number;
  count: number;
  accuracy: number;
  loss: number;
}

export interface SweepOutcome {
  results: LabResults;
  finalEvaluations: FinalEvaluation[];
  /** The trainers, still alive so that callers can read parameters; the caller destroys them. */
  trainers: Trainer[];
}

/** Wall time one round of chunks (all runs) should take: long enough to amortise a submit, short enough for 20+ fps. */
const ROUND_BUDGET_MS = 40;
const MAX_STEPS_PER_CHUNK = 256;
const HISTOGRAM_BINS = 41;
/** Test digits shown with their predictions. */
export const DIGITS_SHOWN = 24;

export async function runSweep(
  config: LabConfig, train: Dataset, test: Dataset, createTrainer: TrainerFactory,
  engine: LabResults['engine'], signal: AbortSignal, callbacks: SweepCallbacks = {},
): Promise<SweepOutcome> {
  const arms = labArms(config);
  const trainSet = firstSamples(train, config.trainSubset);
  const testSet = firstSamples(test, config.testSubset);
  const trainers: Trainer[] = [];
  try {
    for (const arm of arms) trainers.push(await createTrainer(arm.config));
    const trainHandles = await Promise.all(trainers.map((t) => t.addDataset(trainSet)));
    const testHandles = await Promise.all(trainers.map((t) => t.addDataset(testSet)));
    const results: LabResults = {
      version: 1, engine, config, stepsPerSecond: 0, createdAt: new Date().toISOString(),
      runs: arms.map((a): RunRecord => ({ label: a.label, mode: a.mode, coefficient: a.coefficient, history: [], chunkLosses: [] })),
    };
    const digitIndices = Uint32Array.from({ length: Math.min(DIGITS_SHOWN, testSet.count) }, (_, i) => i);
    let finalEvaluations: FinalEvaluation[] = [];

    const evaluateAll = async (epoch: number, step: number): Promise<void> => {
      finalEvaluations = [];
      const firstWeights: Float32Array[] = [];
      for (let r = 0; r < trainers.length; r++) {
        const t = trainers[r];
        const onTrain = await t.evaluate(trainHandles[r]);
        const onTest = await t.evaluate(testHandles[r]);
        const digits = await t.evaluate(testHandles[r], { indices: digitIndices, predictions: true });
        const norms = await t.weightSquaredNorms();
        const params = await t.getParams();
        const record: EpochRecord = {
          epoch, step,
          trainLoss: onTrain.loss, trainAccuracy: onTrain.accuracy,
          testLoss: onTest.loss, testAccuracy: onTest.accuracy,
          weightNorms: norms.map(Math.sqrt),
        };
        const run = results.runs[r];
        run.history.push(record);
        // The loss curve starts at the initial model, so the first chunk's drop is visible.
        if (epoch === 0) run.chunkLosses.push({ step: 0, loss: onTrain.loss });
        firstWeights.push(params[0].weight);
        run.digitPredictions = Array.from(digits.predictions ?? []);
        finalEvaluations.push({ label: run.label, correct: onTest.correct, count: onTest.count, accuracy: onTest.accuracy, loss: onTest.loss });
      }
      // One range for all runs, so that their histograms share bins and compare directly.
      const range = Math.max(...firstWeights.map((w) => w.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
      firstWeights.forEach((w, r) => (results.runs[r].histogram = histogram(w, HISTOGRAM_BINS, range)));
      callbacks.onEpoch?.(results);
    };

    await evaluateAll(0, 0);
    const N = trainSet.count;
    const B = Math.min(config.batchSize, N);
    const fullSteps = Math.floor(N / B);
    const stepsPerEpoch = Math.ceil(N / B);
    const totalSteps = stepsPerEpoch * config.epochs;
    // Start small so the first curve points appear at once; the budget rule grows the chunks.
    let stepsPerChunk = 1;
    let done = 0;
    let trainMs = 0;
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const order = epochOrder(N, config.seed, epoch - 1, true);
      let s = 0;
      while (s < stepsPerEpoch) {
        if (signal.aborted) throw new DOMException('training stopped', 'AbortError');
        // Full batches in chunks; the last, smaller batch (PyTorch's drop_last=False) is a chunk of its own.
        const batch = s < fullSteps ? B : N - fullSteps * B;
        const steps = s < fullSteps ? Math.min(stepsPerChunk, fullSteps - s) : 1;
        const indices = order.subarray(s * B, s * B + steps * batch);
        const lrs = new Float32Array(steps).fill(config.lr);
        const started = performance.now();
        // All runs' chunks are submitted before any readback is awaited, so the GPU queue never idles between runs.
        const outs = await Promise.all(trainers.map((t, r) => t.train(trainHandles[r], { indices, batchSize: batch, lrs })));
        outs.forEach((out, r) => {
          const mean = out.stepLosses.reduce((a, v) => a + v, 0) / steps;
          results.runs[r].chunkLosses.push({ step: done + steps, loss: mean });
        });
        const elapsed = performance.now() - started;
        trainMs += elapsed;
        s += steps;
        done += steps;
        if (batch === B) {
          // Aim each round at the frame budget, growing at most 2× so one slow round cannot overshoot far.
          const ideal = (steps * ROUND_BUDGET_MS) / Math.max(elapsed, 0.1);
          stepsPerChunk = Math.max(1, Math.min(MAX_STEPS_PER_CHUNK, Math.round(Math.min(ideal, 2 * steps))));
        }
        results.stepsPerSecond = (done * trainers.length) / (trainMs / 1000);
        callbacks.onProgress?.({ epoch, epochs: config.epochs, step: done, totalSteps, stepsPerSecond: results.stepsPerSecond }, results);
        await nextFrame();
      }
      await evaluateAll(epoch, done);
      await nextFrame();
    }
    return { results, finalEvaluations, trainers };
  } catch (error) {
    for (const t of trainers) t.destroy();
    throw error;
  }
}
