// Shared helpers of the Worker tests: authenticated fetches against the Worker, polling, seeded tiny datasets.
import { SELF } from 'cloudflare:test';
import { gaussianBlobs } from '../../src/data/synthetic';
import { makeDataset, type Dataset } from '../../src/core/dataset';
import { defaultDecayMode, defaultOptimizer, type OptimizerKind } from '../../src/core/optimizer';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { makeSplits } from '../../src/data/splits';
import { defaultSchedule } from '../../src/train/schedule';
import { runTraining } from '../../src/train/train_loop';

/** The tokens configured for the test Worker (test/worker/vitest.config.ts). */
export const TOKEN_A = 'token-alpha';
export const TOKEN_B = 'token-bravo';

export async function api(path: string, init: RequestInit & { token?: string | null; json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKEN_A : init.token;
  if (token) headers.set('authorization', `Bearer ${token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  return SELF.fetch(`http://decaylab.test${path}`, { ...init, headers, body });
}

export async function json<T = any>(r: Response): Promise<T> {
  return (await r.json()) as T;
}

/** Polls GET /v1/runs/:id until the status is terminal (alarms train the run meanwhile). */
export async function waitForRun(id: string, token = TOKEN_A, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await json(await api(`/v1/runs/${id}`, { token }));
    if (['completed', 'failed', 'diverged', 'cancelled'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status} at step ${run.step} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Seeded 3-class blobs in 5 dimensions, as JSON rows. */
export function blobSamples(count: number, seed: number): { ds: Dataset; samples: { features: number[][]; labels: number[] } } {
  const ds = gaussianBlobs(count, 5, 3, seed, 2);
  const features: number[][] = [];
  for (let i = 0; i < ds.count; i++) features.push(Array.from(ds.features.subarray(i * ds.dim, (i + 1) * ds.dim)));
  return { ds, samples: { features, labels: Array.from(ds.labels) } };
}

/** A small run request: 5 → 8 → 3 MLP, SGD with momentum and coupled decay, 3 epochs of batch 8. */
export function smallRunRequest(overrides: Record<string, unknown> = {}) {
  const train = blobSamples(45, 11);
  const test = blobSamples(21, 12);
  return {
    model: { hidden: [8] },
    optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 },
    decay: { mode: 'coupled', coefficient: 0.01 },
    epochs: 3,
    batchSize: 8,
    seed: 7,
    dataset: { samples: train.samples, testSamples: test.samples },
    ...overrides,
  };
}

/**
 * The same run as `request` (inline samples, 3 classes), trained in one go in this isolate with the CPU engine:
 * no Durable Object, no checkpoints, and a different chunking (a whole epoch per call) than the Worker's.
 */
export async function directRun(request: any) {
  const toDs = (x: { features: number[][]; labels: number[] }) =>
    makeDataset(Float32Array.from(x.features.flat()), Uint8Array.from(x.labels), x.features[0].length, 3);
  const { samples, testSamples, validationFraction = 0 } = request.dataset;
  const splits = makeSplits(toDs(samples), toDs(testSamples), { valSplit: validationFraction, shuffle: true, seed: request.seed, normalise: 'scale' });
  const kind = request.optimizer.kind as OptimizerKind;
  const trainer = createCpuTrainer({
    spec: { inputSize: samples.features[0].length, hidden: request.model.hidden, classes: 3 },
    optimizer: defaultOptimizer(kind, request.optimizer),
    decay: { mode: request.decay.mode ?? defaultDecayMode(kind), coefficient: request.decay.coefficient ?? 0, decayBiases: false },
    seed: request.seed,
  });
  const data = { train: await trainer.addDataset(splits.train), test: await trainer.addDataset(splits.test!) };
  const progress = await runTraining(trainer, data, {
    epochs: request.epochs, batchSize: request.batchSize, seed: request.seed, shuffle: true, dropLast: false,
    schedule: defaultSchedule(), stepsPerChunk: 1000, evaluateTrainSet: true,
  });
  const test = await trainer.evaluate(data.test);
  return { progress, params: await trainer.getParams(), test };
}
