// The Backend of the Hono app inside a Worker: runs and sweeps are Durable Objects named by owner and id, datasets live in R2.
import { ApiError } from '../api/problem';
import type { Backend, DatasetUpload, EvaluateRequest, RunView } from '../api/backend';
import { parseUpload } from '../api/datasets/parse_upload';
import type { RunRequest, SweepRequest } from '../api/schemas';
import { sweepView, type SweepRecord } from '../api/sweep_table';
import type { Env } from './env';
import { getLabResultsR2, putLabResultsR2 } from './r2_lab_results';
import { getDatasetBlobR2, listDatasetsR2, putDatasetR2 } from './r2_datasets';
import { unwrap } from './rpc_result';

/** The object's name includes the owner: another token's request reaches a different, empty object (→ 404). */
const runStub = (env: Env, owner: string, id: string) => env.RUNS.get(env.RUNS.idFromName(`${owner}/run/${id}`));
const sweepStub = (env: Env, owner: string, id: string) => env.SWEEPS.get(env.SWEEPS.idFromName(`${owner}/sweep/${id}`));

const newId = (): string => crypto.randomUUID();

/** Errors of a sweep's base run name fields under `base.`. */
function prefixed(e: unknown, prefix: string): unknown {
  if (!(e instanceof ApiError)) return e;
  const errors = e.errors.map((f) => ({ ...f, field: `${prefix}${f.field}` }));
  return new ApiError(e.status, e.kind, errors.length ? `${errors[0].field}: ${errors[0].message}` : e.message, errors);
}

export function workerBackend(env: Env): Backend {
  const backend: Backend = {
    async createRun(owner, request: RunRequest, baseUrl) {
      const id = newId();
      unwrap(await runStub(env, owner, id).create(owner, id, request, null));
      return (await backend.getRun(owner, id, baseUrl))!;
    },
    async getRun(owner, id, baseUrl) {
      return (await runStub(env, owner, id).view(owner, id, baseUrl)) as RunView | null;
    },
    async getMetrics(owner, id) {
      return runStub(env, owner, id).metrics(owner, id);
    },
    async evaluate(owner, id, request: EvaluateRequest) {
      return unwrap(await runStub(env, owner, id).evaluate(owner, id, request));
    },
    async predict(owner, id, features) {
      return unwrap(await runStub(env, owner, id).predict(owner, id, features));
    },
    async weights(owner, id) {
      return runStub(env, owner, id).weights(owner, id);
    },
    async deleteRun(owner, id) {
      return runStub(env, owner, id).remove(owner, id);
    },
    async createSweep(owner, request: SweepRequest, baseUrl) {
      const id = newId();
      const runIds = request.coefficients.map((_, i) => `${id}-${i}`);
      // Runs differ only in the coefficient: the first one validates the request before anything else is written.
      for (const [i, coefficient] of request.coefficients.entries()) {
        const runRequest = { ...request.base, decay: { ...request.base.decay, coefficient } };
        try {
          unwrap(await runStub(env, owner, runIds[i]).create(owner, runIds[i], runRequest, id));
        } catch (e) {
          throw prefixed(e, 'base.');
        }
      }
      const mode = request.base.decay.mode ?? (request.base.optimizer.kind === 'adamw' ? 'decoupled' : 'coupled');
      const record: SweepRecord = { id, owner, mode, coefficients: request.coefficients, runIds };
      await sweepStub(env, owner, id).save(record);
      return (await backend.getSweep(owner, id, baseUrl))!;
    },
    async getSweep(owner, id, baseUrl) {
      const record = await sweepStub(env, owner, id).load(owner);
      if (!record) return null;
      const runs = await Promise.all(record.runIds.map((runId) => backend.getRun(owner, runId, baseUrl)));
      return sweepView(record, runs, baseUrl);
    },
    async putDataset(owner, upload: DatasetUpload) {
      return putDatasetR2(env.DATASETS, owner, upload.name, upload.split, parseUpload(upload));
    },
    async listDatasets(owner) {
      return listDatasetsR2(env.DATASETS, owner);
    },
    async getDataset(owner, name, split, take) {
      return getDatasetBlobR2(env.DATASETS, owner, name, split, take);
    },
    async saveLabResults(owner, id, json) {
      await putLabResultsR2(env.LAB_RESULTS, owner, id, json);
    },
    async getLabResults(owner, id) {
      return getLabResultsR2(env.LAB_RESULTS, owner, id);
    },
  };
  return backend;
}
