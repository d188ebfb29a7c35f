// One run's life, runtime-agnostic: create, train in budgeted chunks with atomic checkpoints, report, evaluate.
// The Worker hosts one per Durable Object (alarms drive advance()); Node hosts many in one SQLite file.
import type { Trainer, TrainerConfig } from '../../core/trainer';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../train/checkpoint';
import { freshProgress, type RunProgress } from '../../train/run_progress';
import { runTraining, type LoopData } from '../../train/train_loop';
import type { RunView } from '../backend';
import type { ApiLimits } from '../limits';
import type { RunRequest } from '../schemas';
import { inlineClasses, inlineDataset, loopConfig, resolveRunConfig, type RunConfig } from './run_config';
import { loadStoredFiles, runSplits, type RunFiles, type StoredDatasetLoader } from './run_data';
import { encodeDatasetBlob, decodeDatasetBlob } from '../datasets/dataset_blob';
import { ensureRunSchema, readBlob, writeBlob, type SqlStore } from './sql_store';
import type { Splits } from '../../data/splits';

/** What the failure-injection test hook throws: it must escape advance() like a crash would. */
export class InjectedFailure extends Error {
  constructor() {
    super('injected failure after training, before the commit');
  }
}

export type ApiRunStatus = RunView['status'];

export interface RunHostDeps {
  sql: SqlStore;
  loadStored: StoredDatasetLoader;
  makeTrainer: (config: TrainerConfig) => Trainer | Promise<Trainer>;
  limits: ApiLimits;
  /** Wall-clock milliseconds one advance() may train before it checkpoints and yields. */
  budgetMs: number;
  /** Steps per trainer.train call; the budget is checked between calls. */
  stepsPerChunk: number;
  now?: () => number;
}

export interface RunRow {
  id: string;
  owner: string;
  config: RunConfig;
  status: ApiRunStatus;
  error: string | null;
  progress: RunProgress | null;
  createdAt: string;
  updatedAt: string;
}

const TERMINAL: ReadonlySet<ApiRunStatus> = new Set(['completed', 'failed', 'diverged', 'cancelled']);

function apiStatus(p: RunProgress): ApiRunStatus {
  switch (p.status) {
    case 'running':
    case 'paused':
      return 'running';
    case 'completed':
    case 'early-stopped':
      return 'completed';
    case 'diverged':
      return 'diverged';
  }
}

export class RunHost {
  private splits: Splits | null = null;
  /** Test hook: throw after training, before the commit (what an eviction mid-chunk looks like to storage). */
  failBeforeCommit = false;

  /** Creates no tables: a rejected request must leave an object without storage. */
  constructor(readonly id: string, private readonly deps: RunHostDeps) {}

  private hasTables(): boolean {
    return this.deps.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'run'").length > 0;
  }

  private get now(): () => number {
    return this.deps.now ?? (() => Date.now());
  }

  /** Validates the request against its data, then stores the run (and inline samples) in one transaction. */
  async create(owner: string, request: RunRequest, sweepId: string | null = null): Promise<RunConfig> {
    const files = await this.requestFiles(owner, request);
    const probe = runSplits(files, { name: null, take: request.dataset.take ?? null, testTake: request.dataset.testTake ?? null, validationFraction: request.dataset.validationFraction, normalize: request.dataset.normalize }, request.seed, request.shuffle);
    const config = resolveRunConfig(request, { dim: files.train.dim, classes: files.train.classes, trainCount: probe.train.count }, this.deps.limits, sweepId);
    const stamp = new Date(this.now()).toISOString();
    this.deps.sql.transaction(() => {
      ensureRunSchema(this.deps.sql);
      this.deps.sql.exec(
        'INSERT INTO run (id, owner, config, status, error, total_steps, progress, created_at, updated_at) VALUES (?, ?, ?, ?, NULL, ?, NULL, ?, ?)',
        this.id, owner, JSON.stringify(config), 'queued', config.totalSteps, stamp, stamp,
      );
      if (!config.dataset.name) {
        writeBlob(this.deps.sql, this.id, 'train-data', encodeDatasetBlob(files.train));
        if (files.test) writeBlob(this.deps.sql, this.id, 'test-data', encodeDatasetBlob(files.test));
      }
    });
    return config;
  }

  private async requestFiles(owner: string, r: RunRequest): Promise<RunFiles> {
    if (r.dataset.name) return loadStoredFiles(this.deps.loadStored, owner, r.dataset.name);
    const classes = inlineClasses(r);
    const train = inlineDataset(r.dataset.samples!, classes, 'dataset.samples');
    const test = r.dataset.testSamples ? inlineDataset(r.dataset.testSamples, classes, 'dataset.testSamples') : null;
    if (test && test.dim !== train.dim) throw new RangeError(`dataset.testSamples have ${test.dim} features, dataset.samples ${train.dim}`);
    return { train, test };
  }

  row(): RunRow | null {
    if (!this.hasTables()) return null;
    const rows = this.deps.sql.exec('SELECT * FROM run WHERE id = ?', this.id);
    if (rows.length === 0) return null;
    const r = rows[0];
    return {
      id: r.id as string,
      owner: r.owner as string,
      config: JSON.parse(r.config as string) as RunConfig,
      status: r.status as ApiRunStatus,
      error: (r.error as string | null) ?? null,
      progress: r.progress ? (JSON.parse(r.progress as string) as RunProgress) : null,
      createdAt: r.created_at as string,
      updatedAt: r.updated_at as string,
    };
  }

  /** The row if `owner` owns it: other owners see nothing. */
  ownedRow(owner: string): RunRow | null {
    const row = this.row();
    return row && row.owner === owner ? row : null;
  }

  view(row: RunRow, baseUrl: string): RunView {
    const p = row.progress ?? freshProgress();
    const { config } = row;
    return {
      id: row.id,
      url: `${baseUrl}/v1/runs/${row.id}`,
      status: row.status,
      step: p.step,
      totalSteps: config.totalSteps,
      epoch: p.epochsDone,
      epochs: config.epochs,
      progress: config.totalSteps > 0 ? Math.min(p.step / config.totalSteps, 1) : 0,
      latest: p.history[p.history.length - 1] ?? null,
      divergedAtStep: p.divergedAtStep,
      error: row.error,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      config: { ...config } as unknown as Record<string, unknown>,
    };
  }

  checkpoint(): Checkpoint | null {
    if (!this.hasTables()) return null;
    const bytes = readBlob(this.deps.sql, this.id, 'checkpoint');
    return bytes ? decodeCheckpoint(bytes) : null;
  }

  /** Train / validation / test splits, loaded once per host (they are immutable for a run). */
  async splitsOf(row: RunRow): Promise<Splits> {
    if (this.splits) return this.splits;
    const { dataset } = row.config;
    let files: RunFiles;
    if (dataset.name) {
      files = await loadStoredFiles(this.deps.loadStored, row.owner, dataset.name);
    } else {
      const train = readBlob(this.deps.sql, this.id, 'train-data');
      if (!train) throw new Error('the run lost its inline training samples');
      const test = readBlob(this.deps.sql, this.id, 'test-data');
      files = { train: decodeDatasetBlob(train), test: test ? decodeDatasetBlob(test) : null };
    }
    this.splits = runSplits(files, dataset, row.config.seed, row.config.shuffle);
    return this.splits;
  }

  /** A trainer holding the latest checkpoint (or the seeded initialisation) and the run's splits. */
  async trainerAt(row: RunRow, checkpoint: Checkpoint | null): Promise<{ trainer: Trainer; data: LoopData; splits: Splits }> {
    const { spec, optimizer, decay, seed } = row.config;
    const trainer = await this.deps.makeTrainer({ spec, optimizer, decay, seed });
    if (checkpoint) await trainer.setState(checkpoint.state);
    const splits = await this.splitsOf(row);
    const data: LoopData = { train: await trainer.addDataset(splits.train) };
    if (splits.validation) data.validation = await trainer.addDataset(splits.validation);
    if (splits.test) data.test = await trainer.addDataset(splits.test);
    return { trainer, data, splits };
  }

  /**
   * Trains for about budgetMs from the last checkpoint and commits parameters, optimizer state and progress in one
   * transaction. A retried or repeated call starts again from what was committed, so no step is applied twice.
   * Returns true while the run has more to do.
   */
  async advance(): Promise<boolean> {
    const row = this.row();
    if (!row || TERMINAL.has(row.status)) return false;
    let trainer: Trainer | null = null;
    try {
      const checkpoint = this.checkpoint();
      const resume = checkpoint?.meta.progress ?? row.progress ?? undefined;
      const built = await this.trainerAt(row, checkpoint);
      trainer = built.trainer;
      if (!checkpoint) this.commit(row, await trainer.getState(), freshProgress());
      const started = this.now();
      const { budgetMs, stepsPerChunk } = this.deps;
      const t = trainer;
      const progress = await runTraining(t, built.data, loopConfig(row.config, stepsPerChunk), {
        shouldPause: () => this.now() - started >= budgetMs,
        // Each finished epoch is a checkpoint too, so a later divergence keeps every good epoch.
        onEpoch: async (_record, p) => {
          if (p.epochsDone < row.config.epochs) this.commit(row, await t.getState(), p);
        },
      }, resume);
      if (this.failBeforeCommit) {
        this.failBeforeCommit = false;
        throw new InjectedFailure();
      }
      if (progress.status === 'diverged') this.commitProgressOnly(progress);
      else this.commit(row, await trainer.getState(), progress);
      return progress.status === 'paused' || progress.status === 'running';
    } catch (e) {
      if (e instanceof InjectedFailure) throw e;
      this.fail(row, e as Error);
      return false;
    } finally {
      trainer?.destroy();
    }
  }

  private stillActive(): boolean {
    if (!this.hasTables()) return false;
    const rows = this.deps.sql.exec('SELECT status FROM run WHERE id = ?', this.id);
    return rows.length > 0 && !TERMINAL.has(rows[0].status as ApiRunStatus);
  }

  private commit(row: RunRow, state: Awaited<ReturnType<Trainer['getState']>>, progress: RunProgress): void {
    const { spec, optimizer, decay, seed } = row.config;
    const bytes = encodeCheckpoint(state, { spec, optimizer, decay, seed, progress, extra: { runId: this.id } });
    this.deps.sql.transaction(() => {
      // A run deleted or cancelled while this chunk trained stays so.
      if (!this.stillActive()) return;
      writeBlob(this.deps.sql, this.id, 'checkpoint', bytes);
      this.writeProgress(progress, apiStatus(progress), null);
    });
  }

  /** Divergence: the parameters in memory are not finite; the last good checkpoint stays as it is. */
  private commitProgressOnly(progress: RunProgress): void {
    this.deps.sql.transaction(() => {
      if (!this.stillActive()) return;
      this.writeProgress(progress, 'diverged', `loss became NaN or infinite at step ${progress.divergedAtStep}; the weights are those of the last good checkpoint`);
    });
  }

  private writeProgress(progress: RunProgress, status: ApiRunStatus, error: string | null): void {
    this.deps.sql.exec(
      'UPDATE run SET progress = ?, status = ?, error = ?, updated_at = ? WHERE id = ?',
      JSON.stringify(progress), status, error, new Date(this.now()).toISOString(), this.id,
    );
  }

  private fail(row: RunRow, e: Error): void {
    console.error(`run ${row.id} failed`, e);
    this.deps.sql.transaction(() => {
      if (!this.stillActive()) return;
      this.deps.sql.exec('UPDATE run SET status = ?, error = ?, updated_at = ? WHERE id = ?', 'failed', e.message, new Date(this.now()).toISOString(), this.id);
    });
  }

  /** Cancels and deletes everything of the run. */
  delete(): void {
    if (!this.hasTables()) return;
    this.deps.sql.transaction(() => {
      this.deps.sql.exec('DELETE FROM blob WHERE run_id = ?', this.id);
      this.deps.sql.exec('DELETE FROM run WHERE id = ?', this.id);
    });
    this.splits = null;
  }

  static isTerminal(status: ApiRunStatus): boolean {
    return TERMINAL.has(status);
  }
}

