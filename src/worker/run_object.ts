// A run as a SQLite-backed Durable Object: alarms train it in budgeted chunks, each committed atomically, so an
// eviction, restart or retried alarm resumes from the last commit and never applies a step twice.
import { DurableObject } from 'cloudflare:workers';
import type { EpochRecordView, EvaluateRequest, EvaluationView, PredictionView, RunView } from '../api/backend';
import { RunHost } from '../api/run/run_host';
import { evaluateRun, predictRun, runWeights } from '../api/run/run_queries';
import type { RunRequest } from '../api/schemas';
import { createCpuTrainer } from '../cpu/cpu_trainer';
import { durableObjectSql } from './do_sql';
import type { Env } from './env';
import { limitsOf } from './limits_of';
import { loadDatasetR2 } from './r2_datasets';
import { capture, type RpcResult } from './rpc_result';

export class RunObject extends DurableObject<Env> {
  private host: RunHost | null = null;

  private hostFor(runId: string): RunHost {
    if (!this.host || this.host.id !== runId) {
      this.host = new RunHost(runId, {
        sql: durableObjectSql(this.ctx.storage),
        loadStored: (owner, name, split) => loadDatasetR2(this.env.DATASETS, owner, name, split),
        // Workers have no WebGPU: the CPU engine trains here.
        makeTrainer: createCpuTrainer,
        limits: limitsOf(this.env),
        budgetMs: Number(this.env.CHUNK_BUDGET_MS ?? 1000),
        stepsPerChunk: Number(this.env.STEPS_PER_CHUNK ?? 16),
      });
    }
    return this.host;
  }

  /** The id of the one run this object holds (alarms carry no arguments). */
  private storedRunId(): string | null {
    const rows = durableObjectSql(this.ctx.storage).exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'run'");
    if (rows.length === 0) return null;
    const run = durableObjectSql(this.ctx.storage).exec('SELECT id FROM run LIMIT 1');
    return run.length ? (run[0].id as string) : null;
  }

  async create(owner: string, runId: string, request: RunRequest, sweepId: string | null): Promise<RpcResult<null>> {
    return capture(async () => {
      await this.hostFor(runId).create(owner, request, sweepId);
      await this.ctx.storage.setAlarm(Date.now());
      return null;
    });
  }

  async view(owner: string, runId: string, baseUrl: string): Promise<RunView | null> {
    const host = this.hostFor(runId);
    const row = host.ownedRow(owner);
    return row ? host.view(row, baseUrl) : null;
  }

  async metrics(owner: string, runId: string): Promise<EpochRecordView[] | null> {
    const row = this.hostFor(runId).ownedRow(owner);
    return row ? (row.progress?.history ?? []) : null;
  }

  async evaluate(owner: string, runId: string, request: EvaluateRequest): Promise<RpcResult<EvaluationView | null>> {
    return capture(async () => {
      const host = this.hostFor(runId);
      const row = host.ownedRow(owner);
      return row ? evaluateRun(host, row, request) : null;
    });
  }

  async predict(owner: string, runId: string, features: number[][]): Promise<RpcResult<PredictionView | null>> {
    return capture(async () => {
      const host = this.hostFor(runId);
      const row = host.ownedRow(owner);
      return row ? predictRun(host, row, features) : null;
    });
  }

  async weights(owner: string, runId: string): Promise<Uint8Array | null> {
    const host = this.hostFor(runId);
    const row = host.ownedRow(owner);
    return row ? runWeights(host, row) : null;
  }

  async remove(owner: string, runId: string): Promise<boolean> {
    const host = this.hostFor(runId);
    if (!host.ownedRow(owner)) return false;
    host.delete();
    await this.ctx.storage.deleteAlarm();
    return true;
  }

  /** Test hook (used through runInDurableObject): the next alarm throws after training, before committing. */
  injectFailureBeforeCommit(runId: string): void {
    this.hostFor(runId).failBeforeCommit = true;
  }

  override async alarm(): Promise<void> {
    const runId = this.storedRunId();
    if (!runId) return;
    // An InjectedFailure escapes alarm(): the runtime retries the alarm, as it does after an eviction mid-alarm.
    if (await this.hostFor(runId).advance()) await this.ctx.storage.setAlarm(Date.now());
  }
}
