// Runs K training loops on one batched trainer (K models trained in the same dispatches, e.g. a GPU λ sweep) by
// giving each loop a Trainer view whose `train` waits until every still-running loop asks for the same chunk, then
// trains all models at once. Each loop keeps its own progress, divergence, early stopping and checkpoints
// (runTraining unchanged); a loop that has finished leaves, and the rest go on without waiting for it.
// The batched trainer cannot drop a model: one that diverged or stopped early is still trained with the others,
// but nobody reads its results any more (its outputs were written when its loop left).
// Evaluation can go to a separate one-model `evaluator` trainer: a batched trainer may run every model's forward pass
// to evaluate one (GpuSweep does), which would make K evaluations cost K² forward passes.
import type { Dataset } from '../core/dataset';
import type { ModelParams } from '../core/params';
import type {
  DatasetHandle, EvaluateResult, Trainer, TrainChunk, TrainChunkResult, TrainerConfig, TrainerState,
} from '../core/trainer';

/** K models that train together (GpuSweep has this shape). */
export interface BatchedTrainer {
  readonly models: number;
  addDataset(ds: Dataset): Promise<DatasetHandle>;
  /** Trains all models on the chunk; result m is model m's. */
  train(handle: DatasetHandle, chunk: TrainChunk): Promise<TrainChunkResult[]>;
  /** One view per model for evaluation, params and state; their own `train` is not used. */
  trainers(): Trainer[];
  destroy(): void;
}

interface PendingTrain {
  handle: DatasetHandle;
  chunk: TrainChunk;
  resolve: (r: TrainChunkResult) => void;
  reject: (e: unknown) => void;
}

export interface LockstepOptions {
  /**
   * A one-model trainer of the same spec: a member's evaluate/predictProbabilities load that member's state into it
   * (once per training step count) and evaluate there. Its arithmetic must equal the batched trainer's per model.
   */
  evaluator?: Trainer;
}

export class Lockstep {
  private readonly active: Set<number>;
  /** Batched handle → the evaluator's handle of the same dataset. */
  private readonly evaluatorHandles = new Map<DatasetHandle, DatasetHandle>();
  /** Which member's state the evaluator holds, and after how many batched train calls. */
  private loaded: { model: number; version: number } | null = null;
  private version = 0;
  private readonly pending = new Map<number, PendingTrain>();
  /** Every call on the batched trainer runs after the previous one settled: its models share buffers and readbacks. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly views: Trainer[];

  constructor(private readonly batch: BatchedTrainer, private readonly options: LockstepOptions = {}) {
    this.active = new Set(Array.from({ length: batch.models }, (_, m) => m));
    this.views = batch.trainers().map((t, m) => new LockstepMember(this, t, m));
  }

  /** Trainer m for runTraining; destroying it does nothing (destroy the batched trainer when every loop has left). */
  trainers(): Trainer[] {
    return [...this.views];
  }

  /** Loop m is done (its outputs are written): the others no longer wait for it. Call it even when the loop threw. */
  leave(m: number): void {
    this.active.delete(m);
    const waiting = this.pending.get(m);
    if (waiting) {
      this.pending.delete(m);
      waiting.reject(new Error(`model ${m} left the lockstep while a train call of it was waiting`));
    }
    this.fireWhenAllAsked();
  }

  /** Uploads a dataset to the batched trainer (and the evaluator); every member's handle is the returned one. */
  addDataset(ds: Dataset, view: Trainer): Promise<DatasetHandle> {
    return this.serial(async () => {
      const handle = await view.addDataset(ds);
      if (this.options.evaluator && !this.evaluatorHandles.has(handle)) this.evaluatorHandles.set(handle, await this.options.evaluator.addDataset(ds));
      return handle;
    });
  }

  /** Runs op on the trainer that evaluates model m: the evaluator holding m's current state, or m's own view. */
  evaluateWith<T>(m: number, view: Trainer, handle: DatasetHandle, op: (t: Trainer, h: DatasetHandle) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      const evaluator = this.options.evaluator;
      if (!evaluator) return op(view, handle);
      const h = this.evaluatorHandles.get(handle);
      if (h === undefined) throw new Error('lockstep: evaluate on a dataset that was not added through a lockstep member');
      if (this.loaded?.model !== m || this.loaded.version !== this.version) {
        await evaluator.setState(await view.getState());
        this.loaded = { model: m, version: this.version };
      }
      return op(evaluator, h);
    });
  }

  serial<T>(op: () => Promise<T>): Promise<T> {
    const result = this.queue.then(op);
    this.queue = result.catch(() => undefined);
    return result;
  }

  join(m: number, handle: DatasetHandle, chunk: TrainChunk): Promise<TrainChunkResult> {
    if (!this.active.has(m)) return Promise.reject(new Error(`model ${m} already left the lockstep`));
    if (this.pending.has(m)) return Promise.reject(new Error(`model ${m} asked to train twice before the first call returned`));
    return new Promise((resolve, reject) => {
      this.pending.set(m, { handle, chunk, resolve, reject });
      this.fireWhenAllAsked();
    });
  }

  /** The members' params changed outside training: the evaluator must reload. */
  invalidate(): void {
    this.version++;
  }

  private fireWhenAllAsked(): void {
    if (this.pending.size === 0) return;
    for (const m of this.active) if (!this.pending.has(m)) return;
    const calls = [...this.pending.entries()];
    this.pending.clear();
    const [, first] = calls[0];
    // The loops share seed, batch size and schedule, so they ask for the same chunk; if not, batching would be wrong.
    const mismatch = calls.find(([, c]) => c.handle !== first.handle || !sameChunk(c.chunk, first.chunk));
    if (mismatch) {
      const err = new Error(`lockstep: model ${mismatch[0]} asked for a different chunk than model ${calls[0][0]}; batched runs must share data order, batch size and schedule`);
      calls.forEach(([, c]) => c.reject(err));
      return;
    }
    this.serial(() => {
      this.version++;
      return this.batch.train(first.handle, first.chunk);
    }).then(
      (results) => calls.forEach(([m, c]) => c.resolve(results[m])),
      (err: unknown) => calls.forEach(([, c]) => c.reject(err)),
    );
  }
}

function sameChunk(a: TrainChunk, b: TrainChunk): boolean {
  if (a.batchSize !== b.batchSize || a.indices.length !== b.indices.length || a.lrs.length !== b.lrs.length) return false;
  for (let i = 0; i < a.lrs.length; i++) if (a.lrs[i] !== b.lrs[i]) return false;
  for (let i = 0; i < a.indices.length; i++) if (a.indices[i] !== b.indices[i]) return false;
  return true;
}

/** Model m of a lockstep as a Trainer: train joins the others, everything else is queued on the batched trainer. */
class LockstepMember implements Trainer {
  readonly engine: Trainer['engine'];
  readonly config: TrainerConfig;

  constructor(private readonly lock: Lockstep, private readonly view: Trainer, private readonly model: number) {
    this.engine = view.engine;
    this.config = view.config;
  }

  get step(): number {
    return this.view.step;
  }

  addDataset(ds: Dataset): Promise<DatasetHandle> {
    return this.lock.addDataset(ds, this.view);
  }

  train(data: DatasetHandle, chunk: TrainChunk): Promise<TrainChunkResult> {
    return this.lock.join(this.model, data, chunk);
  }

  evaluate(data: DatasetHandle, options?: { indices?: Uint32Array; predictions?: boolean }): Promise<EvaluateResult> {
    return this.lock.evaluateWith(this.model, this.view, data, (t, h) => t.evaluate(h, options));
  }

  predictProbabilities(data: DatasetHandle, indices?: Uint32Array): Promise<Float32Array> {
    return this.lock.evaluateWith(this.model, this.view, data, (t, h) => t.predictProbabilities(h, indices));
  }

  weightSquaredNorms(): Promise<number[]> {
    return this.lock.serial(() => this.view.weightSquaredNorms());
  }

  getParams(): Promise<ModelParams> {
    return this.lock.serial(() => this.view.getParams());
  }

  getState(): Promise<TrainerState> {
    return this.lock.serial(() => this.view.getState());
  }

  setState(state: TrainerState): Promise<void> {
    return this.lock.serial(() => {
      this.lock.invalidate();
      return this.view.setState(state);
    });
  }

  destroy(): void {}
}
