// Downloads the lab's MNIST splits from the edge dataset endpoint, once: later visits read the browser's Cache API.
import type { Dataset } from '../core/dataset';
import { decodeDatasetBlob } from '../api/datasets/dataset_blob';
import { ApiHttpError } from './api_error';
import { authHeaders } from './api_token';
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

/** `token`: the edge API's bearer token, when the user gave the page one (api_token.ts). */
export async function loadLabData(apiBase: string, name: string, trainLimit: number, testLimit: number, token: string | null = null): Promise<LabData> {
  const [train, test] = await Promise.all([
    fetchCached(datasetUrl(apiBase, name, 'train', trainLimit), `Downloading the ${name} training split`, token),
    fetchCached(datasetUrl(apiBase, name, 'test', testLimit), `Downloading the ${name} test split`, token),
  ]);
  return {
    train: firstSamples(decode(train.body, `${name} train split`), trainLimit),
    test: firstSamples(decode(test.body, `${name} test split`), testLimit),
    source: train.cached && test.cached ? 'cache' : 'network',
  };
}

async function fetchCached(url: string, what: string, token: string | null): Promise<{ body: ArrayBuffer; cached: boolean }> {
  // The Cache API exists only in secure contexts (https, localhost); elsewhere every visit downloads.
  const cache = typeof caches !== 'undefined' ? await caches.open(CACHE_NAME).catch(() => null) : null;
  const hit = cache ? await cache.match(url) : undefined;
  if (hit) return { body: await hit.arrayBuffer(), cached: true };
  // Cached by address alone, without the token: the lab reads the shared `mnist`, the same bytes for every token.
  const response = await fetch(url, { headers: authHeaders(token) });
  if (!response.ok) throw new ApiHttpError(response.status, `${what} (${url})`, await problemDetail(response), token !== null);
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
