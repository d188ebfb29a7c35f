// `decaylab serve`: the same Hono app on Node over node:http and node:sqlite — OpenAPI document, open mode, a run
// to completion, and a server restart mid-training that resumes from the SQLite file to the same parameters.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import { defaultOptimizer } from '../../src/core/optimizer';
import { gaussianBlobs } from '../../src/data/synthetic';
import { makeSplits } from '../../src/data/splits';
import { startServe, type RunningServer } from '../../src/node/serve';
import { paramsFromSafetensors } from '../../src/train/safetensors';
import { defaultSchedule } from '../../src/train/schedule';
import { runTraining } from '../../src/train/train_loop';
import { expectClose } from '../helpers/expect_close';

const dir = mkdtempSync(join(tmpdir(), 'decaylab-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const serve = (db: string, budgetMs: number, tokens: string[] = []) =>
  startServe({ port: 0, host: '127.0.0.1', db, tokens, engine: 'cpu', budgetMs, stepsPerChunk: 4, seedMnist: false, log: () => {} });

const ds = gaussianBlobs(40, 4, 3, 5, 2);
const rows = (d: typeof ds) => Array.from({ length: d.count }, (_, i) => Array.from(d.features.subarray(i * d.dim, (i + 1) * d.dim)));
const request = {
  model: { hidden: [6] },
  optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
  decay: { mode: 'l2', coefficient: 0.01 },
  epochs: 4,
  batchSize: 6,
  seed: 9,
  dataset: { samples: { features: rows(ds), labels: Array.from(ds.labels) } },
};

async function post(s: RunningServer, path: string, body: unknown): Promise<Response> {
  return fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function waitFor(s: RunningServer, id: string, done: (r: any) => boolean): Promise<any> {
  for (let i = 0; i < 2000; i++) {
    const r = await (await fetch(`${s.url}/v1/runs/${id}`)).json();
    if (done(r)) return r;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error(`run ${id} did not get there`);
}

async function directParams() {
  const splits = makeSplits(ds, null, { valSplit: 0, shuffle: true, seed: 9, normalise: 'scale' });
  const trainer = createCpuTrainer({
    spec: { inputSize: 4, hidden: [6], classes: 3 },
    optimizer: defaultOptimizer('sgd', { lr: 0.05, momentum: 0.9, nesterov: true }),
    decay: { mode: 'l2', coefficient: 0.01, decayBiases: false },
    seed: 9,
  });
  const train = await trainer.addDataset(splits.train);
  await runTraining(trainer, { train }, { epochs: 4, batchSize: 6, seed: 9, shuffle: true, dropLast: false, schedule: defaultSchedule(), stepsPerChunk: 100, evaluateTrainSet: true });
  return trainer.getParams();
}

describe('decaylab serve (Node)', () => {
  it('serves the OpenAPI document generated from the schemas, open when no token is configured', async () => {
    const s = await serve(':memory:', 1000);
    try {
      const doc = await (await fetch(`${s.url}/v1/openapi.json`)).json();
      expect(doc.openapi).toBe('3.1.0');
      for (const p of ['/v1/runs', '/v1/runs/{id}', '/v1/runs/{id}/events', '/v1/runs/{id}/evaluate', '/v1/runs/{id}/predict', '/v1/runs/{id}/weights', '/v1/sweeps', '/v1/sweeps/{id}', '/v1/datasets/{name}', '/v1/datasets', '/v1/lab-results', '/v1/lab-results/{id}', '/healthz']) {
        expect(doc.paths[p], p).toBeDefined();
      }
      expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['RunRequest', 'Optimizer', 'Decay', 'Problem', 'Sweep']));
      expect(doc.components.schemas.Decay.properties.mode.enum).toEqual(['l2', 'coupled', 'decoupled']);
      // The dataset route has both methods: PUT (upload) and GET (the lab's download, with its take parameter).
      expect(Object.keys(doc.paths['/v1/datasets/{name}']).sort()).toEqual(['get', 'put']);
      expect(doc.paths['/v1/datasets/{name}'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['name', 'split', 'take']));
      expect(doc.components.schemas.LabResults.required).toEqual(['version', 'config', 'runs']);
      const bad = await post(s, '/v1/runs', { ...request, epochs: -1 });
      expect(bad.status).toBe(422);
      expect(bad.headers.get('content-type')).toBe('application/problem+json');
      expect((await bad.json()).field).toBe('epochs');
    } finally {
      await s.close();
    }
  });

  it('requires the configured bearer token', async () => {
    const s = await serve(':memory:', 1000, ['secret']);
    try {
      expect((await fetch(`${s.url}/v1/datasets`)).status).toBe(401);
      expect((await fetch(`${s.url}/v1/datasets`, { headers: { authorization: 'Bearer secret' } })).status).toBe(200);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('resumes a run from the SQLite file after a restart and ends with the parameters of the direct CPU run', async () => {
    const db = join(dir, 'state.sqlite');
    // A zero budget yields after every chunk of 4 steps: the restart lands mid-run.
    const first = await serve(db, 0);
    const run = await (await post(first, '/v1/runs', request)).json();
    const mid = await waitFor(first, run.id, (r) => r.step >= 4);
    expect(mid.status).toBe('running');
    await first.close();

    const second = await serve(db, 0);
    try {
      const done = await waitFor(second, run.id, (r) => r.status !== 'running' && r.status !== 'queued');
      expect(done.status).toBe('completed');
      expect(done.step).toBe(28); // ceil(40 / 6) = 7 steps × 4 epochs
      const weights = paramsFromSafetensors(new Uint8Array(await (await fetch(`${second.url}/v1/runs/${run.id}/weights`)).arrayBuffer())).params;
      // Same engine and float32 arithmetic, lossless float32 checkpoints: exactly equal, or a step was lost or repeated.
      const direct = await directParams();
      direct.forEach((l, i) => {
        expectClose(weights[i].weight, l.weight, { atol: 0, rtol: 0 });
        expectClose(weights[i].bias, l.bias, { atol: 0, rtol: 0 });
      });
    } finally {
      await second.close();
    }
  });
});

describe('decaylab serve on the GPU engine', () => {
  it('trains with the GPU engine and lands near the CPU engine', async () => {
    // openEngine('gpu') fails (it does not fall back) when no adapter is found, naming how to install lavapipe.
    const s = await startServe({ port: 0, host: '127.0.0.1', db: ':memory:', tokens: [], engine: 'gpu', budgetMs: 0, stepsPerChunk: 4, seedMnist: false, log: () => {} });
    try {
      expect(s.engineDescription).toMatch(/^GPU engine/);
      const run = await (await post(s, '/v1/runs', request)).json();
      const done = await waitFor(s, run.id, (r) => r.status !== 'running' && r.status !== 'queued');
      expect(done.status).toBe('completed');
      const weights = paramsFromSafetensors(new Uint8Array(await (await fetch(`${s.url}/v1/runs/${run.id}/weights`)).arrayBuffer())).params;
      const direct = await directParams();
      // GPU and CPU sum in different orders (float32): measured max |Δ| = 1.8e-7 after these 28 steps on lavapipe.
      // atol 1e-5 + rtol 1e-4 leaves ~50× room for other drivers while still catching a wrong or missing step.
      direct.forEach((l, i) => {
        expectClose(weights[i].weight, l.weight, { atol: 1e-5, rtol: 1e-4 });
        expectClose(weights[i].bias, l.bias, { atol: 1e-5, rtol: 1e-4 });
      });
    } finally {
      await s.close();
    }
  });
});
