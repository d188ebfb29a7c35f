// What the lab page needs from `decaylab serve` (Node, node:sqlite): GET /v1/datasets/:name (the stored form, cut to
// `take`, owner-scoped, params validated), POST/GET /v1/lab-results kept in the same SQLite file across a restart
// (413 over its limit, 404 for unknown ids), and the built page served at / beside the API.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeDatasetBlob, sliceDatasetBlob, encodeDatasetBlob } from '../../src/api/datasets/dataset_blob';
import { encodeIdx } from '../../src/data/idx';
import { gaussianBlobs, syntheticImages } from '../../src/data/synthetic';
import { startServe } from '../../src/node/serve';
import { expectProblem } from '../helpers/problem';

const dir = mkdtempSync(join(tmpdir(), 'decaylab-serve-lab-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A stand-in for dist/web: the handler must serve whatever the build wrote, including hashed assets.
const web = join(dir, 'web');
mkdirSync(join(web, 'assets'), { recursive: true });
writeFileSync(join(web, 'index.html'), '<!doctype html><title>lab page</title>');
writeFileSync(join(web, 'assets', 'index-abc123.js'), 'console.log("lab")');
writeFileSync(join(dir, 'secret.txt'), 'outside the page');

const TOKEN_A = 'alpha-token';
const TOKEN_B = 'bravo-token';
const serve = (db: string, limits = {}) =>
  startServe({ port: 0, host: '127.0.0.1', db, tokens: [TOKEN_A, TOKEN_B], engine: 'cpu', budgetMs: 50, stepsPerChunk: 4, seedMnist: false, web, limits, log: () => {} });

const call = (url: string, path: string, init: RequestInit & { token?: string | null } = {}) => {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKEN_A : init.token;
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(`${url}${path}`, { ...init, headers });
};


const labResults = () => ({
  version: 1, engine: 'cpu', config: { hidden: [16], lambdas: [0, 0.1] }, stepsPerSecond: 100, createdAt: '2026-11-26T06:00:00.000Z',
  runs: [0, 0.1].map((coefficient) => ({
    label: `λ=${coefficient}`, mode: 'l2', coefficient, chunkLosses: [{ step: 4, loss: 2.2 }, { step: 8, loss: 2.0 }],
    history: [{ epoch: 0, step: 0, trainLoss: 2.3, trainAccuracy: 0.1, testLoss: 2.3, testAccuracy: 0.1, weightNorms: [5.5, 2.5] }],
  })),
});

describe('sliceDatasetBlob', () => {
  it('keeps the first samples and the class count, for uint8 and float32 features', () => {
    for (const ds of [syntheticImages(30, 5, 4, 3), gaussianBlobs(30, 3, 5, 4, 2)]) {
      const cut = decodeDatasetBlob(sliceDatasetBlob(encodeDatasetBlob(ds), 7));
      expect([cut.count, cut.dim, cut.classes]).toEqual([7, ds.dim, ds.classes]);
      expect(cut.features.constructor).toBe(ds.features.constructor);
      expect(Array.from(cut.features)).toEqual(Array.from(ds.features.subarray(0, 7 * ds.dim)));
      expect(Array.from(cut.labels)).toEqual(Array.from(ds.labels.subarray(0, 7)));
      expect(decodeDatasetBlob(sliceDatasetBlob(encodeDatasetBlob(ds), 30)).count).toBe(30);
    }
  });
});

describe('decaylab serve for the lab page', () => {
  it('downloads dataset splits cut to take, owner-scoped, validated', async () => {
    const s = await serve(join(dir, 'datasets.sqlite'));
    try {
      const source = syntheticImages(50, 6, 10, 8);
      const body = new Uint8Array([...encodeIdx([50, 6, 6], source.features as Uint8Array), ...encodeIdx([50], source.labels)]);
      const put = await call(s.url, '/v1/datasets/digits?split=test&classes=10', { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
      expect(put.status, await put.clone().text()).toBe(201);

      const r = await call(s.url, '/v1/datasets/digits?split=test&take=12');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/octet-stream');
      expect(r.headers.get('cache-control')).toMatch(/private, max-age=\d+/);
      const ds = decodeDatasetBlob(new Uint8Array(await r.arrayBuffer()));
      expect([ds.count, ds.dim, ds.classes]).toEqual([12, 36, 10]);
      expect(Array.from(ds.features)).toEqual(Array.from(source.features.subarray(0, 12 * 36)));
      expect(Array.from(ds.labels)).toEqual(Array.from(source.labels.subarray(0, 12)));

      await expectProblem(await call(s.url, '/v1/datasets/digits?split=test&take=12', { token: TOKEN_B }), 404);
      await expectProblem(await call(s.url, '/v1/datasets/digits?split=train'), 404);
      await expectProblem(await call(s.url, '/v1/datasets/digits?split=test&take=0'), 422, 'query.take');
      await expectProblem(await call(s.url, '/v1/datasets/digits?split=tset'), 422, 'query.split');
      await expectProblem(await call(s.url, '/v1/datasets/digits?split=test', { token: null }), 401, 'authorization');
    } finally {
      await s.close();
    }
  });

  it('saves lab results in the SQLite file and reopens them after a restart', async () => {
    const db = join(dir, 'results.sqlite');
    const sent = labResults();
    let id: string;
    const first = await serve(db);
    try {
      const r = await call(first.url, '/v1/lab-results', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sent) });
      expect(r.status, await r.clone().text()).toBe(201);
      id = ((await r.json()) as { id: string }).id;
      expect(r.headers.get('location')).toBe(`${first.url}/v1/lab-results/${id}`);
    } finally {
      await first.close();
    }
    const second = await serve(db, { maxLabResultsBytes: 4096 });
    try {
      const back = await call(second.url, `/v1/lab-results/${id}`);
      expect(back.status).toBe(200);
      expect(await back.json()).toEqual(sent);
      await expectProblem(await call(second.url, `/v1/lab-results/${id}`, { token: TOKEN_B }), 404);
      await expectProblem(await call(second.url, '/v1/lab-results/ffffffffffffffffffffffffffffffff'), 404);

      const post = (body: unknown) => call(second.url, '/v1/lab-results', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await expectProblem(await post({ ...sent, runs: [] }), 422, 'runs');
      await expectProblem(await post({ ...sent, runs: [{ ...sent.runs[0], history: [{ trainLoss: 1 }] }] }), 422, 'runs.0.history.0.trainAccuracy');
      const big = { ...sent, runs: [{ ...sent.runs[0], chunkLosses: Array.from({ length: 500 }, (_, i) => ({ step: i, loss: 1 })) }] };
      await expectProblem(await post(big), 413, '(body)');
    } finally {
      await second.close();
    }
  });

  it('serves the built page at / and its assets, never files outside it, with the API beside it', async () => {
    const s = await serve(join(dir, 'web.sqlite'));
    try {
      const page = await fetch(`${s.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('lab page');
      const asset = await fetch(`${s.url}/assets/index-abc123.js`);
      expect(asset.headers.get('content-type')).toContain('text/javascript');
      expect(asset.headers.get('cache-control')).toContain('immutable');
      // %2F survives URL parsing and decodes to a separator: the root check is what refuses this one.
      await expectProblem(await fetch(`${s.url}/..%2Fsecret.txt`), 404);
      await expectProblem(await fetch(`${s.url}/no-such-file.js`), 404);
      // The page is open; the API keeps its bearer token.
      await expectProblem(await fetch(`${s.url}/v1/datasets`), 401);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
