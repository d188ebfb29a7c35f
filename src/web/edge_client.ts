// The lab's calls to the edge API: a sweep trained there (no WebGPU here), and saved results behind a shareable id.
// Every request carries the API token the user gave the page, if any; a failure names what the page was doing.
import { ApiHttpError } from './api_error';
import { authHeaders } from './api_token';
import { problemDetail } from './dataset_client';
import type { DecayMode, OptimizerKind } from '../core/optimizer';
import { defaultLabConfig, type LabConfig } from './lab_config';
import { assertLabResults, type EpochRecord, type LabResults, type RunRecord } from './lab_results';

/** The subset of the API's sweep view the lab reads (src/api/schemas.ts SweepViewSchema). */
interface SweepView {
  id: string;
  status: 'running' | 'completed' | 'failed';
  mode: string;
  rows: { coefficient: number; runId: string; status: string }[];
}

/** The fields of the API's run request (RunRequestSchema) that the lab maps to its own config. */
interface EdgeRunRequest {
  model: { hidden: number[] };
  optimizer: { kind: OptimizerKind; lr: number; momentum: number };
  epochs: number;
  batchSize: number;
  seed: number;
  dataset: { take?: number; testTake?: number };
}

/** The subset of the API's per-epoch record the lab reads (EpochRecordSchema). */
interface EdgeEpoch {
  epoch: number;
  step: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number | null;
  testAccuracy: number | null;
  weightNorms: number[];
}

export class EdgeClient {
  /** `token`: read at each request, so a token typed in after a refusal serves the next try. */
  constructor(private readonly apiBase: string, private readonly datasetName: string, private readonly token: () => string | null = () => null) {}

  /** One POST /v1/sweeps per decay mode (a sweep has one mode); returns the sweep ids. */
  async startSweeps(config: LabConfig): Promise<string[]> {
    const ids: string[] = [];
    for (const mode of config.decayModes) {
      const body = {
        base: {
          model: { hidden: config.hidden },
          optimizer: { kind: config.optimizer, lr: config.lr, momentum: config.optimizer === 'sgd' ? config.momentum : 0 },
          decay: { mode, coefficient: 0, decayBiases: false },
          epochs: config.epochs,
          batchSize: config.batchSize,
          seed: config.seed,
          dataset: { name: this.datasetName, take: config.trainSubset, testTake: config.testSubset },
        },
        coefficients: config.lambdas,
      };
      const view = await this.json<SweepView>('POST', '/v1/sweeps', 'Starting the sweep on the edge', body);
      ids.push(view.id);
    }
    return ids;
  }

  getSweep(id: string): Promise<SweepView> {
    return this.json<SweepView>('GET', `/v1/sweeps/${encodeURIComponent(id)}`, `Reading the edge sweep ${id}`);
  }

  /** Polls until every sweep is completed (or one failed), reporting the fraction of runs done. */
  async waitForSweeps(ids: string[], signal: AbortSignal, onPoll: (done: number, total: number) => void, intervalMs = 1000): Promise<SweepView[]> {
    for (;;) {
      if (signal.aborted) throw new DOMException('stopped waiting for the edge', 'AbortError');
      const views = await Promise.all(ids.map((id) => this.getSweep(id)));
      const rows = views.flatMap((v) => v.rows);
      onPoll(rows.filter((r) => r.status === 'completed').length, rows.length);
      const failed = views.find((v) => v.status === 'failed');
      if (failed) {
        const row = failed.rows.find((r) => r.status !== 'completed');
        throw new Error(`the edge sweep ${failed.id} failed${row ? ` (run ${row.runId} is ${row.status})` : ''}`);
      }
      if (views.every((v) => v.status === 'completed')) return views;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  /** Builds lab results from finished sweeps: per-epoch histories come from each run's metrics. */
  async sweepResults(config: LabConfig, views: SweepView[]): Promise<LabResults> {
    const runs: RunRecord[] = [];
    for (const view of views) {
      for (const row of view.rows) {
        const { epochs } = await this.json<{ epochs: EdgeEpoch[] }>('GET', `/v1/runs/${encodeURIComponent(row.runId)}/metrics`, `Reading the metrics of edge run ${row.runId}`);
        const history = epochs.map((e): EpochRecord => ({
          epoch: e.epoch, step: e.step,
          trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy,
          testLoss: e.testLoss ?? NaN, testAccuracy: e.testAccuracy ?? NaN,
          weightNorms: e.weightNorms,
        }));
        const label = `${views.length > 1 ? `${view.mode} ` : ''}${view.mode === 'l2' ? 'λ' : 'wd'}=${row.coefficient}`;
        runs.push({ label, mode: view.mode, coefficient: row.coefficient, history, chunkLosses: history.map((h) => ({ step: h.step, loss: h.trainLoss })) });
      }
    }
    return { version: 1, engine: 'edge', config, runs, stepsPerSecond: 0, createdAt: new Date().toISOString() };
  }

  /** The lab config of reopened sweeps (?sweep=…), rebuilt from the request stored with their first run. */
  async sweepConfig(ids: string[]): Promise<LabConfig> {
    const views = await Promise.all(ids.map((id) => this.getSweep(id)));
    const first = views[0].rows[0];
    if (!first) throw new Error(`the edge sweep ${views[0].id} has no runs`);
    const run = await this.json<{ config: Partial<EdgeRunRequest> }>('GET', `/v1/runs/${encodeURIComponent(first.runId)}`, `Reading the edge run ${first.runId}`);
    const c = run.config;
    const d = defaultLabConfig();
    return {
      hidden: c.model?.hidden ?? d.hidden,
      optimizer: c.optimizer?.kind ?? d.optimizer,
      lr: c.optimizer?.lr ?? d.lr,
      momentum: c.optimizer?.momentum ?? 0,
      decayModes: views.map((v) => v.mode as DecayMode),
      lambdas: views[0].rows.map((r) => r.coefficient),
      epochs: c.epochs ?? d.epochs,
      batchSize: c.batchSize ?? d.batchSize,
      trainSubset: c.dataset?.take ?? d.trainSubset,
      testSubset: c.dataset?.testTake ?? d.testSubset,
      seed: c.seed ?? d.seed,
    };
  }

  /** Stores results on the edge; the id reopens them (#/results/<id>). */
  async saveResults(results: LabResults): Promise<string> {
    const saved = await this.json<{ id: string }>('POST', '/v1/lab-results', 'Saving the results', results);
    return saved.id;
  }

  async loadResults(id: string): Promise<LabResults> {
    const value = await this.json<unknown>('GET', `/v1/lab-results/${encodeURIComponent(id)}`, `Loading the saved results ${id}`);
    assertLabResults(value);
    return value;
  }

  private async json<T>(method: string, path: string, what: string, body?: unknown): Promise<T> {
    const token = this.token();
    const response = await fetch(`${this.apiBase}${path}`, {
      method,
      headers: { ...authHeaders(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new ApiHttpError(response.status, `${what} (${method} ${path})`, await problemDetail(response), token !== null);
    return (await response.json()) as T;
  }
}
