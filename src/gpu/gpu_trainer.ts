// The GPU engine: the Trainer interface on the WGSL kernels. A chunk of steps is encoded into one compute pass and
// one submit; only its per-step metrics come back, once, at the end.
import type { Dataset } from '../core/dataset';
import { assertChunk, assertIndices } from '../core/chunk';
import { initParams } from '../core/init';
import { validateOptimizer, type DecayConfig } from '../core/optimizer';
import { assertParamsMatch, type ModelParams } from '../core/params';
import { layerShapes, validateSpec } from '../core/spec';
import type {
  DatasetHandle, EvaluateResult, Trainer, TrainChunk, TrainChunkResult, TrainerConfig, TrainerState,
} from '../core/trainer';
import { batchIndexData } from './active_words';
import { autotuneVariant } from './autotune';
import { BatchPlan, type LossMode, type ModelBuffers } from './batch_plan';
import { createStorageBuffer, readBuffers, writeBytes } from './buffers';
import { bindGroup, encodeDispatch, makeDispatch, UniformArena, type Dispatch } from './dispatch';
import { destroyDataset, uploadDataset, type GpuDataset } from './gpu_dataset';
import { fusedWorkgroups, type Fusion } from './fused_steps';
import { selectVariant, type KernelVariant } from './kernel_variants';
import { idleMs, MeasuredSpeed } from './idle_wait';
import { flattenParams, paramLayout, unflattenParams, type ParamLayout } from './param_layout';
import { PipelineCache } from './pipeline_cache';
import { packStepSlots, writeStepSlots, type StepValues } from './step_uniform';

/** Samples per evaluation batch (the last one may be smaller). */
const EVAL_BATCH = 512;
/** The gather kernel dispatches one workgroup row per sample. */
const MAX_BATCH = 65535;

const caches = new WeakMap<GPUDevice, Map<string, PipelineCache>>();

/** One pipeline cache per device and variant, shared by every trainer on it (a λ sweep makes many of one shape). */
function pipelineCache(device: GPUDevice, variant: KernelVariant): PipelineCache {
  let byVariant = caches.get(device);
  if (!byVariant) {
    byVariant = new Map();
    caches.set(device, byVariant);
  }
  let c = byVariant.get(variant.name);
  if (!c) {
    c = new PipelineCache(device, variant);
    byVariant.set(variant.name, c);
  }
  return c;
}

export interface GpuTrainerOptions {
  /** Kernel variant; by default the one kernel_variants.ts selects for the device's adapter. Tests force others. */
  variant?: KernelVariant;
  /**
   * Time the GEMM candidates at this model's layer shapes and this batch size first (autotune.ts; once per adapter and
   * shape per process) and use the fastest. Ignored when `variant` is given. Off by default: kernels differ in
   * summation order, so a tuned choice may change results in the last bits from one process to the next.
   */
  autotuneBatch?: number;
  /**
   * Whether layer 0 skips the words of a uint8 dataset that are zero in every row of a training batch (gemm_codegen.ts
   * GemmInput says why; the results are the same either way up to summation order). On by default; off, every batch
   * reads every word, as the bench's dense row does to show what the skipping is worth.
   */
  skipZeroInputWords?: boolean;
}

export async function createGpuTrainer(device: GPUDevice, config: TrainerConfig, options: GpuTrainerOptions = {}): Promise<Trainer> {
  validateSpec(config.spec);
  validateOptimizer(config.optimizer, config.decay);
  if (config.initialParams) assertParamsMatch(config.spec, config.initialParams);
  const variant = options.variant
    ?? (options.autotuneBatch !== undefined
      ? await autotuneVariant(device, layerShapes(config.spec).map((s) => ({ batch: options.autotuneBatch!, inFeatures: s.inFeatures, outFeatures: s.outFeatures })))
      : selectVariant(device.adapterInfo, device.features));
  return createModelStack(device, [config], variant, options.skipZeroInputWords);
}

/** Validated configs (the caller checks that they may share dispatches): K models in one set of buffers. */
export async function createModelStack(
  device: GPUDevice, configs: TrainerConfig[], variant: KernelVariant, skipZeroInputWords = true,
): Promise<GpuTrainer> {
  // Whether steps fuse is the trainer's own choice: trainers of variants that differ only in it share pipelines.
  const fusion = variant.fusedSteps && variant.subgroupSize
    ? { subgroupSize: variant.subgroupSize, workgroups: variant.fusedWorkgroups ?? fusedWorkgroups() } : null;
  const trainer = new GpuTrainer(device, configs, pipelineCache(device, variant), skipZeroInputWords, fusion);
  // Pipeline compilation errors surface here rather than at the first step.
  device.pushErrorScope('validation');
  trainer.warmUp();
  const error = await device.popErrorScope();
  if (error) throw new Error(`GPU trainer setup failed: ${error.message}`);
  return trainer;
}

/**
 * The engine proper: K models of one spec and optimizer stacked in one set of buffers (K = 1 for a plain trainer;
 * a batched λ sweep, gpu_sweep.ts, has more), trained together by every dispatch. The Trainer methods act on model
 * 0; the `*Of(model)` ones on any, and trainAll trains all of them.
 */
export class GpuTrainer implements Trainer {
  readonly engine = 'gpu' as const;
  private readonly cache: PipelineCache;
  private readonly layout: ParamLayout;
  private readonly model: ModelBuffers;
  private readonly datasets: GpuDataset[] = [];
  private readonly plans = new Map<number, BatchPlan>();
  private readonly norms: { dispatches: Dispatch[]; out: GPUBuffer; uniforms: GPUBuffer };
  private steps = 0;
  /** Training chunks and evaluations submitted and not yet read back. */
  private submitsInFlight = 0;
  /** Wall time per evaluated sample (all models of the trainer), for the idle wait. */
  private readonly evaluationSpeed = new MeasuredSpeed();
  private destroyed = false;
  readonly config: TrainerConfig;
  /** Models stacked (K). */
  readonly models: number;

  /** The forward kernel's step along a row's words, to which active-word counts are rounded (active_words.ts). */
  private readonly alignWords: number;

  constructor(
    private readonly device: GPUDevice, readonly configs: readonly TrainerConfig[], cache: PipelineCache,
    private readonly skipZeroWords = true, private readonly fusion: Fusion | null = null,
  ) {
    const config = configs[0];
    this.alignWords = cache.variant.subgroupSize ?? 1;
    this.config = config;
    this.models = configs.length;
    this.cache = cache;
    this.layout = paramLayout(config.spec);
    const K = this.models;
    const n = this.layout.total * K;
    const { kind, momentum } = config.optimizer;
    const buf = (elements: number, label: string): GPUBuffer => createStorageBuffer(device, elements * 4, label);
    // Zero-filled at creation (WebGPU guarantees it): optimizer state starts at zero as in PyTorch.
    this.model = {
      layout: this.layout,
      params: buf(n, 'params'),
      grads: buf(n, 'grads'),
      momentum: buf(kind === 'sgd' && momentum !== 0 ? n : 1, 'momentum'),
      m: buf(kind === 'sgd' ? 1 : n, 'adam m'),
      v: buf(kind === 'sgd' ? 1 : n, 'adam v'),
      models: K,
    };
    configs.forEach((c, m) => writeBytes(device, this.model.params, this.modelBytes(m),
      flattenParams(this.layout, c.initialParams ?? initParams(c.spec, c.seed))));
    this.norms = this.makeNormDispatches();
  }

  get step(): number {
    return this.steps;
  }

  /** Builds every pipeline now (and a plan for batch 1 that the evaluation of one sample reuses). */
  warmUp(): void {
    this.plan(1, 1);
  }

  async addDataset(ds: Dataset): Promise<DatasetHandle> {
    this.assertLive();
    if (ds.dim !== this.config.spec.inputSize) {
      throw new RangeError(`dataset has ${ds.dim} features, the model expects ${this.config.spec.inputSize}`);
    }
    if (ds.classes > this.config.spec.classes) {
      throw new RangeError(`dataset has ${ds.classes} classes, the model has ${this.config.spec.classes} outputs`);
    }
    const gpuDs = uploadDataset(this.device, ds, this.datasets.length);
    this.datasets.push(gpuDs);
    return gpuDs.handle;
  }

  async train(handle: DatasetHandle, chunk: TrainChunk): Promise<TrainChunkResult> {
    return (await this.trainAll(handle, chunk))[0];
  }

  /** Trains every model on the chunk (the same batches and learning rates); one result per model. */
  async trainAll(handle: DatasetHandle, chunk: TrainChunk): Promise<TrainChunkResult[]> {
    const ds = this.dataset(handle);
    const steps = assertChunk(chunk, ds.handle.count);
    const B = chunk.batchSize;
    const K = this.models;
    if (B > MAX_BATCH) throw new RangeError(`batchSize ${B} is over the GPU engine's limit of ${MAX_BATCH}`);
    if (steps === 0) return this.configs.map(() => ({ stepLosses: new Float32Array(0), correct: 0, samples: 0 }));
    // A fused step (fused_steps.ts) builds its pipeline asynchronously on first use: waiting for it here, before this
    // chunk numbers its steps, keeps chunks in call order. Only the first chunks of a plan and dataset wait.
    const building = this.plan(B, steps).prepareTrainSteps(ds);
    if (building) {
      await building;
      this.assertLive();
    }
    const plan = this.plan(B, steps);
    const first = this.steps;
    // Lists only for a layer 0 that reads them: f32 kernels (a GPU's default variant) take the gathered rows.
    const masks = plan.readsPackedInput(ds) ? ds.inputWords : null;
    const { data, activeOffsets } = batchIndexData(
      chunk.indices, B, steps, masks, this.skipZeroWords ? 'active' : 'all', this.alignWords, plan.listGroupRows);
    const slots: StepValues[] = Array.from({ length: steps }, (_, s) => ({
      lr: chunk.lrs[s], t: first + s + 1, slot: s, indexOffset: s * B, activeOffset: activeOffsets[s],
    }));
    // Counted now, before any await, so that a second chunk queued behind this one numbers its steps after it.
    this.steps += steps;
    writeBytes(this.device, plan.indices, 0, data);
    // Slots and cursor (reset to 0) are queued before this chunk's submit and after any earlier chunk's: step s of
    // this chunk reads slot s even when the chunk waits behind another on the same plan.
    writeStepSlots(this.device, plan.stepSlots, packStepSlots(slots, this.config.optimizer, this.decays()));
    const encoder = this.device.createCommandEncoder({ label: `train ${steps} steps` });
    const pass = encoder.beginComputePass();
    plan.encodeTrainSteps(pass, ds, steps);
    pass.end();
    const [bytes] = await this.readAfterIdle([{ buffer: plan.metrics, bytes: steps * K * 8 }], encoder, plan.stepSpeed, steps);
    const f = new Float32Array(bytes);
    const u = new Uint32Array(bytes);
    return this.configs.map((_, m) => {
      const stepLosses = new Float32Array(steps);
      let correct = 0;
      for (let s = 0; s < steps; s++) {
        const e = 2 * (s * K + m);
        stepLosses[s] = f[e] / B;
        correct += u[e + 1];
      }
      return { stepLosses, correct, samples: steps * B };
    });
  }

  async evaluate(handle: DatasetHandle, options: { indices?: Uint32Array; predictions?: boolean } = {}): Promise<EvaluateResult> {
    return this.evaluateOf(0, handle, options);
  }

  async evaluateOf(model: number, handle: DatasetHandle, options: { indices?: Uint32Array; predictions?: boolean } = {}): Promise<EvaluateResult> {
    const ds = this.dataset(handle);
    const indices = options.indices ?? identity(ds.handle.count);
    assertIndices(indices, ds.handle.count);
    const count = indices.length;
    const r = await this.forwardBatches(model, ds, indices, 'none', options.predictions ? 'predictions' : null);
    const predictions = options.predictions ? new Uint32Array(r.output ?? new ArrayBuffer(0)) : undefined;
    return { loss: count ? r.lossSum / count : NaN, accuracy: count ? r.correct / count : NaN, correct: r.correct, count, predictions };
  }

  async predictProbabilities(handle: DatasetHandle, indices?: Uint32Array): Promise<Float32Array> {
    return this.predictProbabilitiesOf(0, handle, indices);
  }

  async predictProbabilitiesOf(model: number, handle: DatasetHandle, indices?: Uint32Array): Promise<Float32Array> {
    const ds = this.dataset(handle);
    const idx = indices ?? identity(ds.handle.count);
    assertIndices(idx, ds.handle.count);
    const r = await this.forwardBatches(model, ds, idx, 'probabilities', 'probabilities');
    return new Float32Array(r.output ?? new ArrayBuffer(0));
  }

  async weightSquaredNorms(): Promise<number[]> {
    return this.weightSquaredNormsOf(0);
  }

  async weightSquaredNormsOf(model: number): Promise<number[]> {
    this.assertLive();
    this.assertModel(model);
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const d of this.norms.dispatches) encodeDispatch(pass, d);
    pass.end();
    const L = this.layout.layers.length;
    const [bytes] = await readBuffers(this.device, [{ buffer: this.norms.out, byteOffset: model * L * 4, bytes: L * 4 }], encoder);
    return Array.from(new Float32Array(bytes));
  }

  async getParams(): Promise<ModelParams> {
    return this.getParamsOf(0);
  }

  async getParamsOf(model: number): Promise<ModelParams> {
    this.assertLive();
    this.assertModel(model);
    const [bytes] = await readBuffers(this.device, [{ buffer: this.model.params, byteOffset: this.modelBytes(model), bytes: this.layout.total * 4 }]);
    return unflattenParams(this.layout, new Float32Array(bytes));
  }

  async getState(): Promise<TrainerState> {
    return this.getStateOf(0);
  }

  async getStateOf(model: number): Promise<TrainerState> {
    this.assertLive();
    this.assertModel(model);
    const keys = this.stateKeys();
    const bytes = this.layout.total * 4;
    const byteOffset = this.modelBytes(model);
    const step = this.steps;
    const all = await readBuffers(this.device, [this.model.params, ...keys.map((k) => this.model[k])].map((buffer) => ({ buffer, byteOffset, bytes })));
    const [params, ...rest] = all.map((b) => unflattenParams(this.layout, new Float32Array(b)));
    const optimizer: TrainerState['optimizer'] = { step };
    keys.forEach((k, i) => { optimizer[k] = rest[i]; });
    return { params, optimizer };
  }

  async setState(state: TrainerState): Promise<void> {
    return this.setStateOf(0, state);
  }

  /** Sets one model's params and optimizer state; the step count is shared by all models, so it sets theirs too. */
  async setStateOf(model: number, state: TrainerState): Promise<void> {
    this.assertLive();
    this.assertModel(model);
    const { spec } = this.config;
    assertParamsMatch(spec, state.params);
    const keys = this.stateKeys();
    for (const key of keys) {
      const given = state.optimizer[key];
      if (!given) throw new RangeError(`optimizer state lacks '${key}' buffers for ${this.config.optimizer.kind}`);
      assertParamsMatch(spec, given);
    }
    const step = state.optimizer.step;
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`optimizer step must be a non-negative integer, got ${step}`);
    const at = this.modelBytes(model);
    writeBytes(this.device, this.model.params, at, flattenParams(this.layout, state.params));
    for (const key of keys) writeBytes(this.device, this.model[key], at, flattenParams(this.layout, state.optimizer[key]!));
    this.steps = step;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const p of this.plans.values()) p.destroy();
    this.plans.clear();
    for (const d of this.datasets) destroyDataset(d);
    for (const b of [this.model.params, this.model.grads, this.model.momentum, this.model.m, this.model.v, this.norms.out, this.norms.uniforms]) b.destroy();
  }

  /** Byte offset of model m's tensors in the params, grads and optimizer-state buffers. */
  private modelBytes(m: number): number {
    return m * this.layout.total * 4;
  }

  private decays(): DecayConfig[] {
    return this.configs.map((c) => c.decay);
  }

  private assertModel(m: number): void {
    if (!Number.isInteger(m) || m < 0 || m >= this.models) throw new RangeError(`model index ${m} is not in [0, ${this.models})`);
  }

  /** Optimizer buffers this trainer keeps, by TrainerState name. */
  private stateKeys(): ('momentum' | 'm' | 'v')[] {
    const { kind, momentum } = this.config.optimizer;
    if (kind === 'sgd') return momentum !== 0 ? ['momentum'] : [];
    return ['m', 'v'];
  }

  /**
   * readBuffers after sleeping through most of the submitted work (idle_wait.ts says why); `units` of work at
   * `speed`. Only a submit that had the queue to itself measures the speed: one queued behind another waits for it too.
   */
  private async readAfterIdle(
    reads: { buffer: GPUBuffer; byteOffset?: number; bytes: number }[], encoder: GPUCommandEncoder, speed: MeasuredSpeed, units: number,
  ): Promise<ArrayBuffer[]> {
    const alone = this.submitsInFlight === 0;
    this.submitsInFlight++;
    try {
      const t0 = performance.now();
      const results = await readBuffers(this.device, reads, encoder, idleMs(speed, units));
      if (alone) speed.record(performance.now() - t0, units);
      return results;
    } finally {
      this.submitsInFlight--;
    }
  }

  /**
   * Forward passes over `indices` in batches of EVAL_BATCH (the remainder in one smaller batch), with the loss and
   * correct count reduced on the GPU; `copy` also gathers each batch's predictions or probabilities.
   */
  private async forwardBatches(
    model: number, ds: GpuDataset, indices: Uint32Array, mode: LossMode, copy: 'predictions' | 'probabilities' | null,
  ): Promise<{ lossSum: number; correct: number; output?: ArrayBuffer }> {
    this.assertLive();
    this.assertModel(model);
    // Every dispatch runs all K models (their forward passes cost the same dispatches); only `model`'s results are read.
    const K = this.models;
    const n = indices.length;
    if (n === 0) return { lossSum: 0, correct: 0, output: new ArrayBuffer(0) };
    const C = this.config.spec.classes;
    const full = Math.floor(n / EVAL_BATCH);
    const rest = n - full * EVAL_BATCH;
    const groups = [
      { batch: EVAL_BATCH, batches: full, start: 0 },
      { batch: rest, batches: rest ? 1 : 0, start: full * EVAL_BATCH },
    ].filter((g) => g.batches > 0);
    const perSample = copy === 'probabilities' ? C : 1;
    const output = copy ? createStorageBuffer(this.device, n * perSample * 4, `evaluation ${copy}`) : null;
    const encoder = this.device.createCommandEncoder({ label: 'evaluate' });
    const reads: { buffer: GPUBuffer; bytes: number }[] = [];
    for (const g of groups) {
      const plan = this.plan(g.batch, g.batches);
      // Every word: a batch this large reads nearly all of them, and evaluation is no training step's cost.
      const { data, activeOffsets } = batchIndexData(
        indices.subarray(g.start), g.batch, g.batches, ds.inputWords, 'all', this.alignWords, plan.listGroupRows);
      writeBytes(this.device, plan.indices, 0, data);
      const slots = Array.from({ length: g.batches }, (_, j) => ({ lr: 0, t: 0, slot: j, indexOffset: j * g.batch, activeOffset: activeOffsets[j] }));
      // Cursor reset with the slots: batch j reads slot j (each batch's encodeForward advances the cursor).
      writeStepSlots(this.device, plan.stepSlots, packStepSlots(slots, this.config.optimizer, this.decays()));
      for (let j = 0; j < g.batches; j++) {
        const pass = encoder.beginComputePass();
        plan.encodeForward(pass, ds, mode);
        pass.end();
        if (output) {
          const source = copy === 'probabilities' ? plan.dActs[plan.dActs.length - 1] : plan.predictions;
          encoder.copyBufferToBuffer(source, model * g.batch * perSample * 4, output, (g.start + j * g.batch) * perSample * 4, g.batch * perSample * 4);
        }
      }
      reads.push({ buffer: plan.metrics, bytes: g.batches * K * 8 });
    }
    if (output) reads.push({ buffer: output, bytes: n * perSample * 4 });
    // The plans' index and slot buffers are rewritten by the next call only after this submit (queue order).
    const results = await this.readAfterIdle(reads, encoder, this.evaluationSpeed, n);
    output?.destroy();
    let lossSum = 0;
    let correct = 0;
    groups.forEach((g, i) => {
      const f = new Float32Array(results[i]);
      const u = new Uint32Array(results[i]);
      for (let j = 0; j < g.batches; j++) {
        lossSum += f[2 * (j * K + model)];
        correct += u[2 * (j * K + model) + 1];
      }
    });
    return { lossSum, correct, output: output ? results[results.length - 1] : undefined };
  }

  /** The plan of a batch size with room for `batches` step slots (grown to the next power of two when short). */
  private plan(batch: number, batches: number): BatchPlan {
    let p = this.plans.get(batch);
    if (!p || p.capacity < batches) {
      p?.destroy();
      const capacity = Math.max(16, 2 ** Math.ceil(Math.log2(batches)));
      p = new BatchPlan(this.cache, this.config.spec, this.model, this.config.optimizer, batch, capacity, this.fusion);
      this.plans.set(batch, p);
    }
    return p;
  }

  private makeNormDispatches(): { dispatches: Dispatch[]; out: GPUBuffer; uniforms: GPUBuffer } {
    const kernel = this.cache.get('sumSquares');
    const arena = new UniformArena(this.device, 'norm uniforms');
    // Model m's layer l at slot m·L + l (the sum_squares kernel takes any offset: no stride needed).
    const L = this.layout.layers.length;
    const dims = this.configs.flatMap((_, m) => this.layout.layers.map((l, i) => arena.add(kernel, {
      offset: m * this.layout.total + l.weight.offset, count: l.weight.count, slot: m * L + i,
    })));
    const uniforms = arena.finish();
    const out = createStorageBuffer(this.device, this.models * L * 4, 'weight norms');
    const dispatches = dims.map((d) => makeDispatch(kernel, bindGroup(this.device, kernel, [d(), this.model.params, out]), [1, 1]));
    return { dispatches, out, uniforms };
  }

  private dataset(handle: DatasetHandle): GpuDataset {
    this.assertLive();
    const ds = this.datasets[handle.id];
    if (!ds) throw new RangeError(`unknown dataset handle ${handle.id}`);
    return ds;
  }

  private assertLive(): void {
    if (this.destroyed) throw new Error('this GPU trainer was destroyed');
  }
}

function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
