// The origin of the browser tests: `decaylab serve` itself (src/node/serve.ts), in process — the built page (dist/web)
// at /, and the real edge API beside it on in-memory SQLite with the CPU engine (as a Worker trains): dataset
// downloads, sweeps, saved lab results. A small MNIST slice is seeded as the shared dataset `mnist`.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PUBLIC_OWNER } from '../../src/api/auth';
import { encodeIdx } from '../../src/data/idx';
import { startServe, type RunningServer } from '../../src/node/serve';
import type { ServeBackend } from '../../src/node/serve_backend';
import { mnistSplit } from '../../src/web/dev_server/mnist_slice';

export const DIST = resolve(import.meta.dirname, '../../dist/web');

export interface TestEdge {
  /** The page's address, with a trailing slash. */
  url: string;
  /** Requests the server answered, as "METHOD /path", for asserting what the page did. */
  requests: string[];
  /** The Authorization header of each of those requests (null: none), same order. */
  authorizations: (string | null)[];
  close(): Promise<void>;
}

/** Seeds the shared dataset `mnist` with the first `take` samples of each split (the full set costs seconds). */
async function seedMnistSlice(backend: ServeBackend, take: { train: number; test: number }): Promise<void> {
  for (const split of ['train', 'test'] as const) {
    const ds = mnistSplit(split);
    const n = Math.min(take[split], ds.count);
    const images = encodeIdx([n, 28, 28], (ds.features as Uint8Array).subarray(0, n * ds.dim));
    const labels = encodeIdx([n], ds.labels.subarray(0, n));
    const body = new Uint8Array(images.length + labels.length);
    body.set(images);
    body.set(labels, images.length);
    await backend.putDataset(PUBLIC_OWNER, { name: 'mnist', split, format: 'idx', body });
  }
}

/**
 * `take`: how many MNIST samples of each split the server holds; the page may ask for at most that many.
 * `tokens`: the bearer tokens the API accepts (as DECAYLAB_API_TOKENS); none = an open API. The seeded MNIST is shared.
 */
export async function serveEdge(take: { train: number; test: number }, tokens: string[] = []): Promise<TestEdge> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: run \`npm run build:web\` first`);
  const requests: string[] = [];
  const authorizations: (string | null)[] = [];
  const running: RunningServer = await startServe({
    port: 0, host: '127.0.0.1', db: ':memory:', tokens, engine: 'cpu', budgetMs: 200, stepsPerChunk: 8, seedMnist: false,
    web: DIST, log: () => {},
    onRequest: (request) => {
      requests.push(`${request.method} ${new URL(request.url).pathname}`);
      authorizations.push(request.headers.get('authorization'));
    },
  });
  await seedMnistSlice(running.backend, take);
  return { url: `${running.url}/`, requests, authorizations, close: () => running.close() };
}
