// The Backend of the Hono app on Node (`decaylab serve`): runs, sweeps and datasets in one SQLite file, runs trained
// in-process (GPU engine on a hardware adapter) by a round-robin scheduler that resumes unfinished runs on start.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../api/problem';
import { PUBLIC_OWNER } from '../api/auth';
import type { Backend, DatasetInfo } from '../api/backend';
import { decodeDatasetBlob, encodeDatasetBlob, sliceDatasetBlob } from '../api/datasets/dataset_blob';
import { parseUpload } from '../api/datasets/parse_upload';
import type { ApiLimits } from '../api/limits';
import { RunHost, type RunHostDeps } from '../api/run/run_host';
import { evaluateRun, predictRun, runWeights } from '../api/run/run_queries';
import { ensureRunSchema, readBlob, writeBlob, type SqlStore } from '../api/run/sql_store';
import { sweepView, type SweepRecord } from '../api/sweep_table';
import type { Dataset } from '../core/dataset';
import type { Engine } from './engine';

export interface ServeBackendOptions {
  sql: SqlStore;
  engine: Engine;
  limits: ApiLimits;
  /** Milliseconds one run trains before the scheduler moves to the next run. */
  budgetMs: number;
  stepsPerChunk: number;
}

export interface ServeBackend extends Backend {
  /** Resolves when no run is left to train (tests and shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

const datasetKey = (owner: string, name: string, split: string) => `dataset/${owner}/${name}/${split}`;

export function createServeBackend(o: ServeBackendOptions): ServeBackend {
  const { sql } = o;
  // Datasets reuse the run blob table (key dataset/<owner>/<name>/<split>), so it must exist before the first run.
  ensureRunSchema(sql);
  sql.exec('CREATE TABLE IF NOT EXISTS dataset (owner TEXT NOT NULL, name TEXT NOT NULL, split TEXT NOT NULL, info TEXT NOT NULL, PRIMARY KEY (owner, name, split))');
  sql.exec('CREATE TABLE IF NOT EXISTS sweep (id TEXT PRIMARY KEY, owner TEXT NOT NULL, record TEXT NOT NULL)');
  sql.exec('CREATE TABLE IF NOT EXISTS lab_result (id TEXT PRIMARY KEY, owner TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL)');

  const storedBlob = (owner: string, name: string, split: 'train' | 'test'): Uint8Array | null => {
    for (const who of owner === PUBLIC_OWNER ? [owner] : [owner, PUBLIC_OWNER]) {
      const bytes = readBlob(sql, datasetKey(who, name, split), 'data');
      if (bytes) return bytes;
    }
    return null;
  };
  const loadStored = async (owner: string, name: string, split: 'train' | 'test'): Promise<Dataset | null> => {
    const bytes = storedBlob(owner, name, split);
    return bytes ? decodeDatasetBlob(bytes) : null;
  };
  const deps: RunHostDeps = { sql, loadStored, makeTrainer: (c) => o.engine.createTrainer(c), limits: o.limits, budgetMs: o.budgetMs, stepsPerChunk: o.stepsPerChunk };
  const hosts = new Map<string, RunHost>();
  const hostOf = (id: string): RunHost => {
    let h = hosts.get(id);
    if (!h) hosts.set(id, (h = new RunHost(id, deps)));
    return h;
  };

  // The scheduler: one chunk of one run at a time, in turn, yielding to HTTP between chunks.
  const active: string[] = [];
  let running: Promise<void> | null = null;
  let stopped = false;
  const schedule = (id: string): void => {
    if (!active.includes(id)) active.push(id);
    if (!running) running = loop().finally(() => (running = null));
  };
  async function loop(): Promise<void> {
    while (active.length > 0 && !stopped) {
      const id = active.shift()!;
      const more = await hostOf(id).advance();
      if (more) active.push(id);
      await new Promise((r) => setImmediate(r));
    }
  }
  // Runs that were training when the server stopped continue from their last checkpoint.
  for (const r of sql.exec("SELECT id FROM run WHERE status IN ('queued', 'running') ORDER BY created_at")) schedule(r.id as string);

  const owned = (owner: string, id: string) => {
    const host = hostOf(id);
    const row = host.ownedRow(owner);
    return row ? { host, row } : null;
  };

  const backend: ServeBackend = {
    async createRun(owner, request, baseUrl) {
      const id = randomUUID();
      await hostOf(id).create(owner, request);
      schedule(id);
      return (await backend.getRun(owner, id, baseUrl))!;
    },
    async getRun(owner, id, baseUrl) {
      const r = owned(owner, id);
      return r ? r.host.view(r.row, baseUrl) : null;
    },
    async getMetrics(owner, id) {
      const r = owned(owner, id);
      return r ? (r.row.progress?.history ?? []) : null;
    },
    async evaluate(owner, id, request) {
      const r = owned(owner, id);
      return r ? evaluateRun(r.host, r.row, request) : null;
    },
    async predict(owner, id, features) {
      const r = owned(owner, id);
      return r ? predictRun(r.host, r.row, features) : null;
    },
    async weights(owner, id) {
      const r = owned(owner, id);
      return r ? runWeights(r.host, r.row) : null;
    },
    async deleteRun(owner, id) {
      const r = owned(owner, id);
      if (!r) return false;
      r.host.delete();
      hosts.delete(id);
      const at = active.indexOf(id);
      if (at >= 0) active.splice(at, 1);
      return true;
    },
    async createSweep(owner, request, baseUrl) {
      const id = randomUUID();
      const runIds = request.coefficients.map((_, i) => `${id}-${i}`);
      for (const [i, coefficient] of request.coefficients.entries()) {
        try {
          await hostOf(runIds[i]).create(owner, { ...request.base, decay: { ...request.base.decay, coefficient } }, id);
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          const errors = e.errors.map((f) => ({ ...f, field: `base.${f.field}` }));
          throw new ApiError(e.status, e.kind, errors.length ? `${errors[0].field}: ${errors[0].message}` : e.message, errors);
        }
      }
      runIds.forEach(schedule);
      const mode = request.base.decay.mode ?? (request.base.optimizer.kind === 'adamw' ? 'decoupled' : 'coupled');
      const record: SweepRecord = { id, owner, mode, coefficients: request.coefficients, runIds };
      sql.exec('INSERT INTO sweep (id, owner, record) VALUES (?, ?, ?)', id, owner, JSON.stringify(record));
      return (await backend.getSweep(owner, id, baseUrl))!;
    },
    async getSweep(owner, id, baseUrl) {
      const rows = sql.exec('SELECT record FROM sweep WHERE id = ? AND owner = ?', id, owner);
      if (rows.length === 0) return null;
      const record = JSON.parse(rows[0].record as string) as SweepRecord;
      return sweepView(record, await Promise.all(record.runIds.map((r) => backend.getRun(owner, r, baseUrl))), baseUrl);
    },
    async putDataset(owner, upload) {
      const ds = parseUpload(upload);
      const bytes = encodeDatasetBlob(ds);
      const info: DatasetInfo = {
        name: upload.name, split: upload.split, count: ds.count, dim: ds.dim, classes: ds.classes,
        dtype: ds.features instanceof Uint8Array ? 'uint8' : 'float32', bytes: bytes.length, shared: owner === PUBLIC_OWNER,
      };
      sql.transaction(() => {
        writeBlob(sql, datasetKey(owner, upload.name, upload.split), 'data', bytes);
        sql.exec('INSERT OR REPLACE INTO dataset (owner, name, split, info) VALUES (?, ?, ?, ?)', owner, upload.name, upload.split, JSON.stringify(info));
      });
      return info;
    },
    async listDatasets(owner) {
      const owners = owner === PUBLIC_OWNER ? [owner] : [owner, PUBLIC_OWNER];
      return owners.flatMap((who) => sql.exec('SELECT info FROM dataset WHERE owner = ? ORDER BY name, split', who).map((r) => ({ ...(JSON.parse(r.info as string) as DatasetInfo), shared: who === PUBLIC_OWNER })));
    },
    async getDataset(owner, name, split, take) {
      const bytes = storedBlob(owner, name, split);
      return bytes ? sliceDatasetBlob(bytes, take) : null;
    },
    async saveLabResults(owner, id, json) {
      sql.exec('INSERT INTO lab_result (id, owner, body, created_at) VALUES (?, ?, ?, ?)', id, owner, json, new Date().toISOString());
    },
    async getLabResults(owner, id) {
      const rows = sql.exec('SELECT body FROM lab_result WHERE id = ? AND owner = ?', id, owner);
      return rows.length ? (rows[0].body as string) : null;
    },
    async idle() {
      while (running) await running;
    },
    stop() {
      stopped = true;
    },
  };
  return backend;
}
