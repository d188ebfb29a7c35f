// A batched λ sweep on the GPU engine: K models of one shape, optimizer and batch order that differ only in their
// decay, trained in the same dispatches. The models are stacked along a leading dimension of every buffer and each
// dispatch runs K workgroup layers (workgroup_id.z = model), so a sweep costs one run's dispatches and submits rather
// than K (batch_plan.ts, the Dims strides of the shaders). All models see the same batches, as a sweep requires; the
// gathered input is shared.
import type { Dataset } from '../core/dataset';
import { validateOptimizer, type OptimizerConfig } from '../core/optimizer';
import { assertParamsMatch, type ModelParams } from '../core/params';
import { layerShapes, validateSpec, type ModelSpec } from '../core/spec';
import type {
  DatasetHandle, EvaluateResult, Trainer, TrainChunk, TrainChunkResult, TrainerConfig, TrainerState,
} from '../core/trainer';
import { autotuneVariant } from './autotune';
import { createModelStack, type GpuTrainer, type GpuTrainerOptions } from './gpu_trainer';
import { selectVariant } from './kernel_variants';
import { MAX_SWEEP_MODELS } from './step_uniform';

export { MAX_SWEEP_MODELS };

/**
 * K models trained together. What may differ between the configs: the decay (mode, coefficient, decayBiases) and the
 * initialisation (seed or initialParams). What must be equal: the spec and every optimizer field (kind, lr, momentum,
 * dampening, nesterov, betas, eps); the step count and learning-rate schedule are shared (one `train` call trains all).
 */
export class GpuSweep {
  private readonly views: Trainer[];

  constructor(private readonly stack: GpuTrainer) {
    this.views = stack.configs.map((_, m) => new SweepMember(stack, m));
  }

  get models(): number {
    return this.stack.models;
  }

  get step(): number {
    return this.stack.step;
  }

  /** Uploads a dataset once, for all models (any member's handle is the same). */
  addDataset(ds: Dataset): Promise<DatasetHandle> {
    return this.stack.addDataset(ds);
  }

  /** Trains all K models on the chunk in the same dispatches; result m is model m's. */
  train(handle: DatasetHandle, chunk: TrainChunk): Promise<TrainChunkResult[]> {
    return this.stack.trainAll(handle, chunk);
  }

  /** One Trainer view per model, for evaluation, params, norms and state (their `train` refers to this sweep). */
  trainers(): Trainer[] {
    return [...this.views];
  }

  destroy(): void {
    this.stack.destroy();
  }
}

export async function createGpuSweep(device: GPUDevice, configs: TrainerConfig[], options: GpuTrainerOptions = {}): Promise<GpuSweep> {
  validateSweep(configs);
  const spec = configs[0].spec;
  const variant = options.variant
    ?? (options.autotuneBatch !== undefined
      ? await autotuneVariant(device, layerShapes(spec).map((s) => ({ batch: options.autotuneBatch!, inFeatures: s.inFeatures, outFeatures: s.outFeatures })))
      : selectVariant(device.adapterInfo, device.features));
  return new GpuSweep(await createModelStack(device, configs, variant));
}

/** createGpuSweep's checks, exported for callers that want to split a longer list first. */
export function validateSweep(configs: TrainerConfig[]): void {
  if (!Array.isArray(configs) || configs.length === 0) throw new RangeError('a GPU sweep needs at least one config');
  if (configs.length > MAX_SWEEP_MODELS) {
    throw new RangeError(`a GPU sweep batches at most ${MAX_SWEEP_MODELS} models (their decay terms share a 256-byte step slot), got ${configs.length}; split the sweep`);
  }
  const first = configs[0];
  configs.forEach((c, m) => {
    validateSpec(c.spec);
    validateOptimizer(c.optimizer, c.decay);
    if (c.initialParams) assertParamsMatch(c.spec, c.initialParams);
    if (!sameSpec(c.spec, first.spec)) {
      throw new RangeError(`sweep model ${m} has spec ${JSON.stringify(c.spec)}, model 0 ${JSON.stringify(first.spec)}: a batched sweep's models must share one spec`);
    }
    const field = differingField(c.optimizer, first.optimizer);
    if (field) {
      throw new RangeError(`sweep model ${m} has optimizer ${field} ${String(c.optimizer[field])}, model 0 ${String(first.optimizer[field])}: a batched sweep's models may differ only in decay and initialisation`);
    }
  });
}

function sameSpec(a: ModelSpec, b: ModelSpec): boolean {
  return a.inputSize === b.inputSize && a.classes === b.classes && a.hidden.length === b.hidden.length
    && a.hidden.every((h, i) => h === b.hidden[i]);
}

function differingField(a: OptimizerConfig, b: OptimizerConfig): keyof OptimizerConfig | undefined {
  const keys: (keyof OptimizerConfig)[] = ['kind', 'lr', 'momentum', 'dampening', 'nesterov', 'beta1', 'beta2', 'eps'];
  return keys.find((k) => a[k] !== b[k]);
}

/** Model m of a sweep as a Trainer. Training goes through GpuSweep.train, which trains every model at once. */
class SweepMember implements Trainer {
  readonly engine = 'gpu' as const;
  readonly config: TrainerConfig;

  constructor(private readonly stack: GpuTrainer, private readonly model: number) {
    this.config = stack.configs[model];
  }

  get step(): number {
    return this.stack.step;
  }

  addDataset(ds: Dataset): Promise<DatasetHandle> {
    return this.stack.addDataset(ds);
  }

  async train(_data: DatasetHandle, _chunk: TrainChunk): Promise<TrainChunkResult> {
    throw new Error(`model ${this.model} of a batched GPU sweep trains only with the others: call GpuSweep.train`);
  }

  evaluate(data: DatasetHandle, options?: { indices?: Uint32Array; predictions?: boolean }): Promise<EvaluateResult> {
    return this.stack.evaluateOf(this.model, data, options);
  }

  predictProbabilities(data: DatasetHandle, indices?: Uint32Array): Promise<Float32Array> {
    return this.stack.predictProbabilitiesOf(this.model, data, indices);
  }

  weightSquaredNorms(): Promise<number[]> {
    return this.stack.weightSquaredNormsOf(this.model);
  }

  getParams(): Promise<ModelParams> {
    return this.stack.getParamsOf(this.model);
  }

  getState(): Promise<TrainerState> {
    return this.stack.getStateOf(this.model);
  }

  /** Sets this model's params and optimizer state; the step count is the sweep's, shared by all its models. */
  setState(state: TrainerState): Promise<void> {
    return this.stack.setStateOf(this.model, state);
  }

  /** Destroys the whole sweep (its models share every buffer). */
  destroy(): void {
    this.stack.destroy();
  }
}
