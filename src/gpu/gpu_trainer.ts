// The GPU engine: the Trainer interface on the WGSL kernels. A chunk of steps is encoded into one compute pass and
// one submit; only its per-step metrics come back, once, at the end.
import type { Dataset } from '../core/dataset';
import { assertChunk, assertIndices } from '../core/chunk';
import { initParams } from '../core/init';
import { validateOptimizer } from '../core/optimizer';
import { assertParamsMatch, type ModelParams } from '../core/params';
import { layerShapes, validateSpec } from '../core/spec';
import type {
  DatasetHandle, EvaluateResult, Trainer, TrainChunk, TrainChunkResult, TrainerConfig, TrainerState,
} from '../core/trainer';
import { autotuneVariant } from './autotune';
import { BatchPlan, type LossMode, type ModelBuffers } from './batch_plan';
import { createStorageBuffer, readBuffers, writeBytes } from './buffers';
import { bindGroup, encodeDispatch, makeDispatch, UniformArena, type Dispatch } from './dispatch';
import { destroyDataset, uploadDataset, type GpuDataset } from './gpu_dataset';
import { selectVariant, type KernelVariant } from './kernel_variants';
import { flattenParams, paramLayout, unflattenParams, type ParamLayout } from './param_layout';
import { PipelineCache } from './pipeline_cache';
import { packStepSlots, type StepValues } from './step_uniform';

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
}

export async function createGpuTrainer(device: GPUDevice, config: TrainerConfig, options: GpuTrainerOptions = {}): Promise<Trainer> {
  validateSpec(config.spec);
  validateOptimizer(config.optimizer, config.decay);
  if (config.initialParams) assertParamsMatch(config.spec, config.initialParams);
  const variant = options.variant
    ?? (options.autotuneBatch !== undefined
      ? await autotuneVariant(device, layerShapes(config.spec).map((s) => ({ batch: options.autotuneBatch!, inFeatures: s.inFeatures, outFeatures: s.outFeatures })))
      : selectVariant(device.adapterInfo));
  const trainer = new GpuTrainer(device, config, pipelineCache(device, variant));
  // Pipeline compilation errors surface here rather than at the first step.
  device.pushErrorScope('validation');
  trainer.warmUp();
  const error = await device.popErrorScope();
  if (error) throw new Error(`GPU trainer setup failed: ${error.message}`);
  return trainer;
}

class GpuTrainer implements Trainer {
  readonly engine = 'gpu' as const;
  private readonly cache: PipelineCache;
  private readonly layout: ParamLayout;
  private readonly model: ModelBuffers;
  private readonly datasets: GpuDataset[] = [];
  private readonly plans = new Map<number, BatchPlan>();
  private readonly norms: { dispatches: Dispatch[]; out: GPUBuffer; uniforms: GPUBuffer };
  private steps = 0;
  private destroyed = false;

  constructor(private readonly device: GPUDevice, readonly config: TrainerConfig, cache: PipelineCache) {
    this.cache = cache;
    this.layout = paramLayout(config.spec);
    const n = this.layout.total;
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
    };
    writeBytes(device, this.model.params, 0, flattenParams(this.layout, config.initialParams ?? initParams(config.spec, config.seed)));
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
    const ds = this.dataset(handle);
    const steps = assertChunk(chunk, ds.handle.count);
    const B = chunk.batchSize;
    if (B > MAX_BATCH) throw new RangeError(`batchSize ${B} is over the GPU engine's limit of ${MAX_BATCH}`);
    if (steps === 0) return { stepLosses: new Float32Array(0), correct: 0, samples: 0 };
    const plan = this.plan(B, steps);
    const first = this.steps;
    const slots: StepValues[] = Array.from({ length: steps }, (_, s) => ({ lr: chunk.lrs[s], t: first + s + 1, slot: s, indexOffset: s * B }));
    // Counted now, before any await, so that a second chunk queued behind this one numbers its steps after it.
    this.steps += steps;
    writeBytes(this.device, plan.indices, 0, chunk.indices);
    this.device.queue.writeBuffer(plan.stepSlots, 0, packStepSlots(slots, this.config.optimizer, this.config.decay));
    const encoder = this.device.createCommandEncoder({ label: `train ${steps} steps` });
    const pass = encoder.beginComputePass();
    for (let s = 0; s < steps; s++) plan.encodeTrainStep(pass, ds, s);
    pass.end();
    const [bytes] = await readBuffers(this.device, [{ buffer: plan.metrics, bytes: steps * 8 }], encoder);
    const f = new Float32Array(bytes);
    const u = new Uint32Array(bytes);
    const stepLosses = new Float32Array(steps);
    let correct = 0;
    for (let s = 0; s < steps; s++) {
      stepLosses[s] = f[2 * s] / B;
      correct += u[2 * s + 1];
    }
    return { stepLosses, correct, samples: steps * B };
  }

  async evaluate(handle: DatasetHandle, options: { indices?: Uint32Array; predictions?: boolean } = {}): Promise<EvaluateResult> {
    const ds = this.dataset(handle);
    const indices = options.indices ?? identity(ds.handle.count);
    assertIndices(indices, ds.handle.count);
    const count = indices.length;
    const r = await this.forwardBatches(ds, indices, 'none', options.predictions ? 'predictions' : null);
    const predictions = options.predictions ? new Uint32Array(r.output ?? new ArrayBuffer(0)) : undefined;
    return { loss: count ? r.lossSum / count : NaN, accuracy: count ? r.correct / count : NaN, correct: r.correct, count, predictions };
  }

  async predictProbabilities(handle: DatasetHandle, indices?: Uint32Array): Promise<Float32Array> {
    const ds = this.dataset(handle);
    const idx = indices ?? identity(ds.handle.count);
    assertIndices(idx, ds.handle.count);
    const r = await this.forwardBatches(ds, idx, 'probabilities', 'probabilities');
    return new Float32Array(r.output ?? new ArrayBuffer(0));
  }

  async weightSquaredNorms(): Promise<number[]> {
    this.assertLive();
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const d of this.norms.dispatches) encodeDispatch(pass, d);
    pass.end();
    const [bytes] = await readBuffers(this.device, [{ buffer: this.norms.out, bytes: this.norms.dispatches.length * 4 }], encoder);
    return Array.from(new Float32Array(bytes));
  }

  async getParams(): Promise<ModelParams> {
    this.assertLive();
    const [bytes] = await readBuffers(this.device, [{ buffer: this.model.params, bytes: this.layout.total * 4 }]);
    return unflattenParams(this.layout, new Float32Array(bytes));
  }

  async getState(): Promise<TrainerState> {
    this.assertLive();
    const keys = this.stateKeys();
    const bytes = this.layout.total * 4;
    const step = this.steps;
    const all = await readBuffers(this.device, [this.model.params, ...keys.map((k) => this.model[k])].map((buffer) => ({ buffer, bytes })));
    const [params, ...rest] = all.map((b) => unflattenParams(this.layout, new Float32Array(b)));
    const optimizer: TrainerState['optimizer'] = { step };
    keys.forEach((k, i) => { optimizer[k] = rest[i]; });
    return { params, optimizer };
  }

  async setState(state: TrainerState): Promise<void> {
    this.assertLive();
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
    writeBytes(this.device, this.model.params, 0, flattenParams(this.layout, state.params));
    for (const key of keys) writeBytes(this.device, this.model[key], 0, flattenParams(this.layout, state.optimizer[key]!));
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

  /** Optimizer buffers this trainer keeps, by TrainerState name. */
  private stateKeys(): ('momentum' | 'm' | 'v')[] {
    const { kind, momentum } = this.config.optimizer;
    if (kind === 'sgd') return momentum !== 0 ? ['momentum'] : [];
    return ['m', 'v'];
  }

  /**
   * Forward passes over `indices` in batches of EVAL_BATCH (the remainder in one smaller batch), with the loss and
   * correct count reduced on the GPU; `copy` also gathers each batch's predictions or probabilities.
   */
  private async forwardBatches(
    ds: GpuDataset, indices: Uint32Array, mode: LossMode, copy: 'predictions' | 'probabilities' | null,
  ): Promise<{ lossSum: number; correct: number; output?: ArrayBuffer }> {
    this.assertLive();
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
      writeBytes(this.device, plan.indices, 0, indices.subarray(g.start, g.start + g.batch * g.batches));
      const slots = Array.from({ length: g.batches }, (_, j) => ({ lr: 0, t: 0, slot: j, indexOffset: j * g.batch }));
      this.device.queue.writeBuffer(plan.stepSlots, 0, packStepSlots(slots, this.config.optimizer, this.config.decay));
      for (let j = 0; j < g.batches; j++) {
        const pass = encoder.beginComputePass();
        plan.encodeForward(pass, ds, j, mode);
        pass.end();
        if (output) {
          const source = copy === 'probabilities' ? plan.dActs[plan.dActs.length - 1] : plan.predictions;
          encoder.copyBufferToBuffer(source, 0, output, (g.start + j * g.batch) * perSample * 4, g.batch * perSample * 4);
        }
      }
      reads.push({ buffer: plan.metrics, bytes: g.batches * 8 });
    }
    if (output) reads.push({ buffer: output, bytes: n * perSample * 4 });
    // The plans' index and slot buffers are rewritten by the next call only after this submit (queue order).
    const results = await readBuffers(this.device, reads, encoder);
    output?.destroy();
    let lossSum = 0;
    let correct = 0;
    groups.forEach((g, i) => {
      const f = new Float32Array(results[i]);
      const u = new Uint32Array(results[i]);
      for (let j = 0; j < g.batches; j++) {
        lossSum += f[2 * j];
        correct += u[2 * j + 1];
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
      p = new BatchPlan(this.cache, this.config.spec, this.model, this.config.optimizer, batch, capacity);
      this.plans.set(batch, p);
    }
    return p;
  }

  private makeNormDispatches(): { dispatches: Dispatch[]; out: GPUBuffer; uniforms: GPUBuffer } {
    const kernel = this.cache.get('sumSquares');
    const arena = new UniformArena(this.device, 'norm uniforms');
    const dims = this.layout.layers.map((l, slot) => arena.add(kernel, { offset: l.weight.offset, count: l.weight.count, slot }));
    const uniforms = arena.finish();
    const out = createStorageBuffer(this.device, this.layout.layers.length * 4, 'weight norms');
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
