// The CPU engine: the Trainer interface on the Float32 CPU twins. Runs unchanged in Node, browsers and Workers.
import type { Dataset } from '../core/dataset';
import { initParams } from '../core/init';
import { decayTerms, validateOptimizer } from '../core/optimizer';
import { assertParamsMatch, cloneParams, zeroParams, type ModelParams } from '../core/params';
import { validateSpec } from '../core/spec';
import type {
  DatasetHandle, EvaluateResult, OptimizerState, Trainer, TrainChunk, TrainChunkResult, TrainerConfig, TrainerState,
} from '../core/trainer';
import { createWorkspace, mlpBackward, mlpForward, type MlpWorkspace } from './mlp';
import { adamStep, sgdStep } from './optimizer_steps';
import { gatherBatch, sumSquares } from './reductions';
import { softmaxCrossEntropy } from './softmax_cross_entropy';
import { assertChunk, assertIndices } from '../core/chunk';

const EVAL_BATCH = 256;

export function createCpuTrainer(config: TrainerConfig): Trainer {
  return new CpuTrainer(config);
}

class CpuTrainer implements Trainer {
  readonly engine = 'cpu' as const;
  readonly config: TrainerConfig;
  private params: ModelParams;
  private optimizer: OptimizerState;
  private readonly datasets: Dataset[] = [];
  private readonly workspaces = new Map<number, MlpWorkspace<Float32Array>>();
  private labelScratch = new Uint32Array(0);

  constructor(config: TrainerConfig) {
    validateSpec(config.spec);
    validateOptimizer(config.optimizer, config.decay);
    this.config = config;
    if (config.initialParams) assertParamsMatch(config.spec, config.initialParams);
    this.params = config.initialParams ? cloneParams(config.initialParams) : initParams(config.spec, config.seed);
    this.optimizer = emptyOptimizerState(config);
  }

  get step(): number {
    return this.optimizer.step;
  }

  async addDataset(ds: Dataset): Promise<DatasetHandle> {
    if (ds.dim !== this.config.spec.inputSize) {
      throw new RangeError(`dataset has ${ds.dim} features, the model expects ${this.config.spec.inputSize}`);
    }
    if (ds.classes > this.config.spec.classes) {
      throw new RangeError(`dataset has ${ds.classes} classes, the model has ${this.config.spec.classes} outputs`);
    }
    this.datasets.push(ds);
    return { id: this.datasets.length - 1, count: ds.count, dim: ds.dim, classes: ds.classes };
  }

  async train(handle: DatasetHandle, chunk: TrainChunk): Promise<TrainChunkResult> {
    const ds = this.dataset(handle);
    const steps = assertChunk(chunk, ds.count);
    const { spec, optimizer: opt, decay } = this.config;
    const B = chunk.batchSize;
    const ws = this.workspace(B);
    const labels = this.labels(B);
    const stepLosses = new Float32Array(steps);
    let correct = 0;
    for (let s = 0; s < steps; s++) {
      gatherBatch(ds.features, ds.labels, ds.scale, ds.shift, chunk.indices, s * B, B, ds.dim, ws.acts[0], labels);
      mlpForward(spec, this.params, ws, B);
      const r = mlpBackward(spec, this.params, ws, labels, B);
      stepLosses[s] = r.lossSum / B;
      correct += r.correct;
      const lr = chunk.lrs[s];
      const t = this.optimizer.step + 1;
      this.params.forEach((layer, l) => {
        for (const kind of ['weight', 'bias'] as const) {
          const { gradCoefficient, paramScale } = decayTerms(decay, lr, kind === 'bias');
          const param = layer[kind];
          const grad = ws.grads[l][kind];
          if (opt.kind === 'sgd') {
            sgdStep(param, grad, this.optimizer.momentum?.[l][kind] ?? null, param.length, {
              lr, momentum: opt.momentum, dampening: opt.dampening, nesterov: opt.nesterov,
              firstStep: t === 1, gradCoefficient, paramScale,
            });
          } else {
            adamStep(param, grad, this.optimizer.m![l][kind], this.optimizer.v![l][kind], param.length, {
              lr, beta1: opt.beta1, beta2: opt.beta2, eps: opt.eps, step: t, gradCoefficient, paramScale,
            });
          }
        }
      });
      this.optimizer.step = t;
    }
    return { stepLosses, correct, samples: steps * B };
  }

  async evaluate(handle: DatasetHandle, options: { indices?: Uint32Array; predictions?: boolean } = {}): Promise<EvaluateResult> {
    const ds = this.dataset(handle);
    const indices = options.indices ?? identity(ds.count);
    assertIndices(indices, ds.count);
    const predictions = options.predictions ? new Uint32Array(indices.length) : undefined;
    let lossSum = 0;
    let correct = 0;
    this.forEachEvalBatch(ds, indices, (logits, labels, offset, n) => {
      const r = softmaxCrossEntropy(logits, labels, null, n, this.config.spec.classes);
      lossSum += r.lossSum;
      correct += r.correct;
      if (predictions) for (let i = 0; i < n; i++) predictions[offset + i] = argmax(logits, i, this.config.spec.classes);
    });
    const count = indices.length;
    return { loss: count ? lossSum / count : NaN, accuracy: count ? correct / count : NaN, correct, count, predictions };
  }

  async predictProbabilities(handle: DatasetHandle, indices?: Uint32Array): Promise<Float32Array> {
    const ds = this.dataset(handle);
    const idx = indices ?? identity(ds.count);
    assertIndices(idx, ds.count);
    const C = this.config.spec.classes;
    const out = new Float32Array(idx.length * C);
    this.forEachEvalBatch(ds, idx, (logits, _labels, offset, n) => {
      for (let i = 0; i < n; i++) {
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, logits[i * C + c]);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += Math.exp(logits[i * C + c] - max);
        for (let c = 0; c < C; c++) out[(offset + i) * C + c] = Math.exp(logits[i * C + c] - max) / sum;
      }
    });
    return out;
  }

  async weightSquaredNorms(): Promise<number[]> {
    return this.params.map((l) => sumSquares(l.weight, l.weight.length));
  }

  async getParams(): Promise<ModelParams> {
    return cloneParams(this.params);
  }

  async getState(): Promise<TrainerState> {
    const o = this.optimizer;
    return {
      params: cloneParams(this.params),
      optimizer: {
        step: o.step,
        momentum: o.momentum && cloneParams(o.momentum),
        m: o.m && cloneParams(o.m),
        v: o.v && cloneParams(o.v),
      },
    };
  }

  async setState(state: TrainerState): Promise<void> {
    const { spec } = this.config;
    assertParamsMatch(spec, state.params);
    const fresh = emptyOptimizerState(this.config);
    for (const key of ['momentum', 'm', 'v'] as const) {
      if (!fresh[key]) continue;
      const given = state.optimizer[key];
      if (!given) throw new RangeError(`optimizer state lacks '${key}' buffers for ${this.config.optimizer.kind}`);
      assertParamsMatch(spec, given);
      fresh[key] = cloneParams(given);
    }
    if (!Number.isInteger(state.optimizer.step) || state.optimizer.step < 0) {
      throw new RangeError(`optimizer step must be a non-negative integer, got ${state.optimizer.step}`);
    }
    fresh.step = state.optimizer.step;
    this.params = cloneParams(state.params);
    this.optimizer = fresh;
  }

  destroy(): void {
    this.datasets.length = 0;
    this.workspaces.clear();
  }

  private dataset(handle: DatasetHandle): Dataset {
    const ds = this.datasets[handle.id];
    if (!ds) throw new RangeError(`unknown dataset handle ${handle.id}`);
    return ds;
  }

  private workspace(batch: number): MlpWorkspace<Float32Array> {
    let ws = this.workspaces.get(batch);
    if (!ws) {
      ws = createWorkspace(this.config.spec, batch, (n) => new Float32Array(n));
      this.workspaces.set(batch, ws);
    }
    return ws;
  }

  private labels(batch: number): Uint32Array {
    if (this.labelScratch.length < batch) this.labelScratch = new Uint32Array(batch);
    return this.labelScratch;
  }

  private forEachEvalBatch(
    ds: Dataset, indices: Uint32Array, visit: (logits: Float32Array, labels: Uint32Array, offset: number, n: number) => void,
  ): void {
    const ws = this.workspace(EVAL_BATCH);
    const labels = this.labels(EVAL_BATCH);
    for (let offset = 0; offset < indices.length; offset += EVAL_BATCH) {
      const n = Math.min(EVAL_BATCH, indices.length - offset);
      gatherBatch(ds.features, ds.labels, ds.scale, ds.shift, indices, offset, n, ds.dim, ws.acts[0], labels);
      visit(mlpForward(this.config.spec, this.params, ws, n), labels, offset, n);
    }
  }
}

function emptyOptimizerState(config: TrainerConfig): OptimizerState {
  const { kind, momentum } = config.optimizer;
  if (kind === 'sgd') return { step: 0, momentum: momentum !== 0 ? zeroParams(config.spec) : undefined };
  return { step: 0, m: zeroParams(config.spec), v: zeroParams(config.spec) };
}

function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

function argmax(logits: Float32Array, row: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (logits[row * classes + c] > logits[row * classes + best]) best = c;
  return best;
}
