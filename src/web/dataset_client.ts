// Downloads the lab's MNIST splits from the edge dataset endpoint, once: later visits read the browser's Cache API.
import type { Dataset } from '../core/dataset';
import { decodeDatasetBlob } from '../api/datasets/dataset_blob';
import { firstSamples } from './first_samples';

const CACHE_NAME = 'decaylab-datasets-v1';

export interface LabData {
  train: Dataset;
  test: Dataset;
  /** Where the bytes came from this time: the network or the browser cache. */
  source: 'network' | 'cache';
}

/**
 * `GET {apiBase}/v1/datasets/{name}?split=train&take=N`: the split in the API's stored form (src/api/datasets/dataset_blob.ts).
 * `take` asks for the first N samples only; a server that sends more is fine, the page keeps the first N.
 */
export function datasetUrl(apiBase: string, name: string, split: 'train' | 'test', take: number): string {
  return `${apiBase}/v1/datasets/${encodeURIComponent(name)}?split=${split}&take=${take}`;
}

export async function loadLabData(apiBase: string, name: string, trainLimit: number, testLimit: number): Promise<LabData> {
  const [train, test] = await Promise.all([
    fetchCached(datasetUrl(apiBase, name, 'train', trainLimit)),
    fetchCached(datasetUrl(apiBase, name, 'test', testLimit)),
  ]);
  return {
    train: firstSamples(decode(train.body, `${name} train split`), trainLimit),
    test: firstSamples(decode(test.body, `${name} test split`), testLimit),
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

function decode(body: ArrayBuffer, what: string): Dataset {
  try {
    return decodeDatasetBlob(new Uint8Array(body));
  } catch (error) {
    throw new RangeError(`${what}: ${(error as Error).message}`);
  }
}
