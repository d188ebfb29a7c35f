// The edge API for the browser tests: `decaylab serve`'s own backend (src/node/serve_backend.ts) behind the real
// Hono app, in process, on in-memory SQLite and the CPU engine (as a Worker trains), with a small MNIST seeded.
import { createApp } from '../../src/api/app';
import { PUBLIC_OWNER } from '../../src/api/auth';
import { DEFAULT_LIMITS } from '../../src/api/limits';
import { encodeIdx } from '../../src/data/idx';
import { cpuEngine } from '../../src/node/engine';
import { createServeBackend, type ServeBackend } from '../../src/node/serve_backend';
import { openSqlFile } from '../../src/node/serve_sql';
import { mnistSplit } from '../../src/web/dev_server/mnist_slice';

export interface TestEdge {
  fetch: (request: Request) => Response | Promise<Response>;
  /** Requests the API answered, as "METHOD /path", for asserting what the page did. */
  requests: string[];
  close(): void;
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

export async function serveEdge(take: { train: number; test: number }): Promise<TestEdge> {
  const store = openSqlFile(':memory:');
  const backend = createServeBackend({ sql: store.sql, engine: cpuEngine(), limits: DEFAULT_LIMITS, budgetMs: 200, stepsPerChunk: 8 });
  await seedMnistSlice(backend, take);
  const app = createApp({ backend: () => backend, tokens: () => [], limits: () => DEFAULT_LIMITS });
  const requests: string[] = [];
  return {
    requests,
    fetch: (request) => {
      requests.push(`${request.method} ${new URL(request.url).pathname}`);
      return app.fetch(request);
    },
    close() {
      backend.stop();
      store.close();
    },
  };
}
