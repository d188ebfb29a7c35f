// An in-process Backend for the edge API (src/api) in the browser tests: each run is the API's own RunHost on an
// in-memory node:sqlite database, trained on the CPU engine (as in a Worker), advanced in the background.
// Stand-in for `decaylab serve`'s backend; everything the page sees goes through the real Hono app and schemas.
import { DatabaseSync } from 'node:sqlite';
import { createCpuTrainer } from '../../src/cpu/cpu_trainer';
import type { Backend, RunView } from '../../src/api/backend';
import { createApp } from '../../src/api/app';
import { DEFAULT_LIMITS } from '../../src/api/limits';
import { RunHost } from '../../src/api/run/run_host';
import type { SqlStore, SqlValue } from '../../src/api/run/sql_store';
import { sweepView, type SweepRecord } from '../../src/api/sweep_table';
import { mnistSplit } from '../../src/web/dev_server/mnist_slice';

function sqliteStore(): SqlStore {
  const db = new DatabaseSync(':memory:');
  return {
    exec: (query: string, ...params: SqlValue[]) => db.prepare(query).all(...params) as Record<string, SqlValue>[],
    transaction<T>(fn: () => T): T {
      db.exec('BEGIN');
      try {
        const out = fn();
        db.exec('COMMIT');
        return out;
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    },
  };
}

export interface MemoryEdge {
  fetch: (request: Request) => Response | Promise<Response>;
  /** Requests the API answered, as "METHOD /path", for asserting what the page did. */
  requests: string[];
}

export function memoryEdge(): MemoryEdge {
  const hosts = new Map<string, RunHost>();
  const sweeps = new Map<string, SweepRecord>();
  const host = (id: string): RunHost => {
    let h = hosts.get(id);
    if (!h) {
      h = new RunHost(id, {
        sql: sqliteStore(),
        loadStored: async (_owner, name, split) => (name === 'mnist' ? mnistSplit(split) : null),
        makeTrainer: (config) => createCpuTrainer(config),
        limits: DEFAULT_LIMITS,
        budgetMs: 200,
        stepsPerChunk: 8,
      });
      hosts.set(id, h);
    }
    return h;
  };
  const drive = async (h: RunHost): Promise<void> => {
    // One budgeted chunk per turn of the event loop, as alarms would drive a Durable Object.
    while (await h.advance()) await new Promise((r) => setTimeout(r, 0));
  };
  const notHere = (what: string) => async (): Promise<never> => {
    throw new Error(`${what} is not part of the lab's browser tests`);
  };
  const backend: Backend = {
    createRun: notHere('createRun'),
    async getRun(owner, id, baseUrl) {
      const h = hosts.get(id);
      const row = h?.ownedRow(owner);
      return h && row ? (h.view(row, baseUrl) as RunView) : null;
    },
    async getMetrics(owner, id) {
      const row = hosts.get(id)?.ownedRow(owner);
      return row ? (row.progress?.history ?? []) : null;
    },
    evaluate: notHere('evaluate'),
    predict: notHere('predict'),
    weights: notHere('weights'),
    deleteRun: notHere('deleteRun'),
    async createSweep(owner, request, baseUrl) {
      const id = crypto.randomUUID();
      const runIds = request.coefficients.map((_, i) => `${id}-${i}`);
      for (const [i, coefficient] of request.coefficients.entries()) {
        await host(runIds[i]).create(owner, { ...request.base, decay: { ...request.base.decay, coefficient } }, id);
      }
      const mode = request.base.decay.mode ?? (request.base.optimizer.kind === 'adamw' ? 'decoupled' : 'coupled');
      sweeps.set(id, { id, owner, mode, coefficients: request.coefficients, runIds });
      for (const runId of runIds) void drive(host(runId));
      return (await backend.getSweep(owner, id, baseUrl))!;
    },
    async getSweep(owner, id, baseUrl) {
      const record = sweeps.get(id);
      if (!record || record.owner !== owner) return null;
      return sweepView(record, await Promise.all(record.runIds.map((r) => backend.getRun(owner, r, baseUrl))), baseUrl);
    },
    putDataset: notHere('putDataset'),
    listDatasets: notHere('listDatasets'),
  };
  const app = createApp({ backend: () => backend, tokens: () => undefined });
  const requests: string[] = [];
  return {
    requests,
    fetch: (request) => {
      requests.push(`${request.method} ${new URL(request.url).pathname}`);
      return app.fetch(request);
    },
  };
}
