// Shared helpers of the Worker tests: authenticated fetches against the Worker, polling, seeded tiny datasets.
import { SELF } from 'cloudflare:test';
import { gaussianBlobs } from '../../src/data/synthetic';
import type { Dataset } from '../../src/core/dataset';

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
