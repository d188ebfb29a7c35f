// Downloads the lab's MNIST splits from the edge dataset endpoint, once: later visits read the browser's Cache API.
import type { Dataset } from '../core/dataset';
import { decodeDataset } from './dataset_wire';

const CACHE_NAME = 'decaylab-datasets-v1';

export interface LabData {
  train: Dataset;
  test: Dataset;
  /** Where the bytes came from this time: the network or the browser cache. */
  source: 'network' | 'cache';
}

/** `GET {apiBase}/v1/datasets/{name}/{split}?limit=N` in the compact wire format. */
export function datasetUrl(apiBase: string, name: string, split: 'train' | 'test', limit: number): string {
  return `${apiBase}/v1/datasets/${encodeURIComponent(name)}/${split}?format=dlds&limit=${limit}`;
}

export async function loadLabData(apiBase: string, name: string, trainLimit: number, testLimit: number): Promise<LabData> {
  const [train, test] = await Promise.all([
    fetchCached(datasetUrl(apiBase, name, 'train', trainLimit)),
    fetchCached(datasetUrl(apiBase, name, 'test', testLimit)),
  ]);
  return {
    train: decodeDataset(train.body, `${name} train split`),
    test: decodeDataset(test.body, `${name} test split`),
    source: train.cached && test.cached ? 'cache' : 'network',
  };
}

async function fetchCached(url: string): Promise<{ body: ArrayBuffer; cached: boolean }> {
  // The Cache API exists only in secure contexts (https, localhost); elsewhere every visit downloads.
  const cache = typeof caches !== 'undefined' ? await caches.open(CACHE_NAME).catch(() => null) : null;
  const hit = cache ? await cache.match(url) : undefined;
  if (hit) return { body: await hit.arrayBuffer(), cached: true };
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not download ${url}: HTTP ${response.status} ${await problemDetail(response)}`);
  if (cache) await cache.put(url, response.clone());
  return { body: await response.arrayBuffer(), cached: false };
}

/** The `detail` of an RFC 9457 problem body, or the text, shortened. */
export async function problemDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as { title?: string; detail?: string };
    return problem.detail ?? problem.title ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
