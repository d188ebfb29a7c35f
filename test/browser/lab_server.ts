// A local origin for the browser tests: the built lab (dist/web), its MNIST slices, and an edge API handler.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { answerDatasetRequest } from '../../src/web/dev_server/mnist_slice';

export const DIST = resolve(import.meta.dirname, '../../dist/web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml',
};

/** A fetch-style handler for /v1/* (a Hono app's `fetch`), or none when the test needs no API. */
export type ApiHandler = (request: Request) => Response | Promise<Response>;

export interface LabServer {
  url: string;
  close(): Promise<void>;
}

export async function startLabServer(api?: ApiHandler): Promise<LabServer> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: run \`npm run build:web\` first`);
  const server: Server = createServer((req, res) => {
    handle(req, api)
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch((error: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`lab test server: ${error.stack ?? error.message}`);
      });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((ok, fail) => server.close((e) => (e ? fail(e) : ok()))),
  };
}

async function handle(req: IncomingMessage, api: ApiHandler | undefined): Promise<Response> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const dataset = answerDatasetRequest(url);
  // Copied into a fresh ArrayBuffer-backed view: Response wants BodyInit, not a view of any ArrayBufferLike.
  if (dataset) return new Response(typeof dataset.body === 'string' ? dataset.body : new Uint8Array(dataset.body), { status: dataset.status, headers: { 'content-type': dataset.type } });
  if (url.pathname.startsWith('/v1/') || url.pathname === '/healthz') {
    if (!api) return new Response('no API in this test', { status: 404 });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length && req.method !== 'GET' && req.method !== 'HEAD' ? Buffer.concat(chunks) : undefined;
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    return api(new Request(url, { method: req.method, headers, body }));
  }
  const path = normalize(join(DIST, url.pathname === '/' ? 'index.html' : url.pathname));
  if (!path.startsWith(DIST) || !existsSync(path)) return new Response('not found', { status: 404 });
  return new Response(readFileSync(path), { headers: { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' } });
}
