// Everything one batch size needs, made once and replayed every step: activation buffers, the step slots (behind
// their GPU-side cursor) and index buffers of a chunk, and the dispatches (pipeline + bind group + workgroup counts)
// of forward, loss (with the batch's metrics and the cursor's move), backward and optimizer. Bind groups are never
// created per step (lavapipe leaks mappings per bind group), and none has a dynamic offset (see Dispatch in dispatch.ts).
import type { OptimizerConfig } from '../core/optimizer';
import { batchListsLength } from './active_words';
import { layerShapes, type ModelSpec } from '../core/spec';
import { createStorageBuffer, uniformBuffer } from './buffers';
import { bindGroup, encodeDispatch, gemmGroups, linearGroups, makeDispatch, stridedGroups, UniformArena, type Dispatch } from './dispatch';
import { gatherKernel, optimizerDispatches } from './elementwise_variants';
import { FusedSteps, fusedStage, unfusableReason, type FusedStage, type Fusion } from './fused_steps';
import type { GpuDataset } from './gpu_dataset';
import { KERNELS, SOFTMAX_MODE, type KernelDef, type KernelName } from './kernels';
import type { ParamLayout } from './param_layout';
import { MeasuredSpeed } from './idle_wait';
import {
  classifierHeadChunks, gemmKernel, narrowBackward, packedInputKernels, sgdUpdateKernel, u8InputKernel, type GemmKernelName,
} from './kernel_variants';
import type { KernelPipeline, PipelineCache } from './pipeline_cache';
import { createStepBuffer } from './step_uniform';
import { packUniform, uniformBytes } from './uniform_layout';

/** The model's long-lived buffers, all in the layout of param_layout.ts. */
export interface ModelBuffers {
  layout: ParamLayout;
  params: GPUBuffer;
  grads: GPUBuffer;
  /** SGD momentum, or a placeholder when the optimizer keeps none. */
  momentum: GPUBuffer;
  /** Adam moments, or placeholders. */
  m: GPUBuffer;
  v: GPUBuffer;
  /**
   * Models stacked in these buffers (a batched λ sweep; 1 when absent): model z's tensors start at z × layout.total.
   * Every dispatch runs all of them at once, workgroup_id.z selecting the model.
   */
  models?: number;
}

export type LossMode = keyof typeof SOFTMAX_MODE;

/**
 * What a step encodes per dataset: its batch gather (none where layer 0 reads the dataset itself), layer 0's forward,
 * the loss (which reads the dataset's labels), and layer 0's weight-gradient dispatches.
 */
interface InputDispatches {
  gather: Dispatch | null;
  forward0: Dispatch;
  /** By mode; see BatchPlan.lossDims for what else the loss kernel does. */
  loss: Record<LossMode, Dispatch>;
  backwardWeight0: Dispatch;
  /** Layer 0's bias gradient, unless layer 0 is the last layer or its weight-gradient kernel writes it too. */
  backwardBias0: Dispatch | null;
  /** The classifier head's training step (BatchPlan.head), which reads the labels too; null without a head kernel. */
  head: Dispatch | null;
}

export class BatchPlan {
  /** Wall time per training step on this plan, for GpuTrainer's idle wait (idle_wait.ts). */
  readonly stepSpeed = new MeasuredSpeed();
  /**
   * Sample indices of up to `capacity` batches, then as many batches' active-word lists (active_words.ts
   * batchIndexData) where layer 0 could read a uint8 dataset's words (inputSize % 4 == 0).
   */
  readonly indices: GPUBuffer;
  /** Rows per group of a batch's active-word lists (batchIndexData's groupRows): those of layer 0's u8 forward workgroups. */
  readonly listGroupRows: number;
  /** The cursor, then one 256-byte Step slot per batch of the chunk (step_uniform.ts; written with writeStepSlots). */
  readonly stepSlots: GPUBuffer;
  /** (lossSum f32, correct u32) per batch of the chunk and model: entry slot × models + z. */
  readonly metrics: GPUBuffer;
  /**
   * acts[0] is the gathered input (normalised floats shared by all models; unused by a dataset whose rows layer 0 reads
   * itself, see inputDispatches), acts[l + 1] the output of layer l (the last one holds the logits);
   * past acts[0], and in dActs and predictions, model z's rows start at z × batch rows.
   */
  readonly acts: GPUBuffer[];
  /** dActs[l + 1] is the gradient w.r.t. layer l's pre-activation output; the last also receives probabilities. */
  readonly dActs: GPUBuffer[];
  readonly predictions: GPUBuffer;
  /** Forward dispatches of layers 1 … L − 1 (layer 0's are per dataset, inputDispatches). */
  private readonly forward: Dispatch[];
  /**
   * The loss's dims by mode (its dispatches are per dataset, whose labels it reads): it also reduces the batch's metrics
   * into its slot, in 'gradient' mode writes the last layer's bias gradient, and moves the step cursor, the last
   * dispatch of an evaluation batch (softmax_cross_entropy.wgsl).
   */
  private readonly lossDims: Record<LossMode, () => GPUBufferBinding>;
  /** Backward dispatches of layers L − 1 … 1 (the last layer's bias gradient is the loss kernel's). */
  private readonly backward: Dispatch[];
  /**
   * Layer 0's bias_backward dispatch, made on first use (a dataset whose weight-gradient kernel writes the bias gradient
   * too never builds it); null when layer 0 is the last layer, whose bias gradient the loss writes.
   */
  private readonly layer0Bias: () => Dispatch | null;
  private readonly optimizerSteps: Dispatch[];
  /** Per dataset: its gather, layer-0 and loss dispatches, and its gather's dims if any (see inputDispatches). */
  private readonly inputs = new Map<number, InputDispatches & { dims: GPUBuffer | null }>();
  /** Layer 0's f32-input kernels, static dims and shape, from which inputDispatches makes a dataset's dispatches. */
  private readonly layer0: {
    forward: GemmKernelName; backwardWeight: GemmKernelName;
    forwardDims: () => GPUBufferBinding; backwardWeightDims: () => GPUBufferBinding;
    inFeatures: number; outFeatures: number; models: number; weightKernelWritesBias: (dw: KernelName) => boolean;
    /** Whether layer 0's weight kernel applies the SGD step (the plan's sgdUpdate). */
    sgdUpdate: boolean;
  };
  /**
   * Whether the backward pass applies the SGD step itself (kernels.ts SGD_DIMS says why), so that no optimizer
   * dispatch runs: for SGD where every layer's gradients come from a kernel that can, layer 0's from a shuffle weight
   * kernel that also writes the bias gradient and every later layer's from dense_backward_narrow: on a CPU driver,
   * networks whose layers past the first have at most 16 outputs each, as the paper's 784-128-10. Adam, and a wider
   * layer past the first, keep the optimizer dispatch.
   */
  readonly sgdUpdate: boolean;
  /**
   * The last layer's forward, the loss and the last layer's backward with its SGD step as one classifier_head_step
   * dispatch per training step (the shader says why), where the backward pass applies the SGD step and the kernel keeps
   * the head in registers (kernel_variants.ts classifierHeadChunks). It runs a batched sweep's models one after the
   * other (it moves the cursor, so it is one workgroup), so that each model's arithmetic is the same as alone.
   * Evaluation keeps the separate forward and loss dispatches.
   */
  private readonly head: { kernel: KernelPipeline; dims: () => GPUBufferBinding } | null;
  private readonly staticUniforms: GPUBuffer;
  /** Per dataset: its fused training step, or null where it has none (fusedSteps). */
  private readonly fused = new Map<number, FusedSteps | null>();

  constructor(
    private readonly cache: PipelineCache, spec: ModelSpec, private readonly model: ModelBuffers,
    optimizer: OptimizerConfig, readonly batch: number, readonly capacity: number,
    /** How a training step's dispatches fuse into one (fused_steps.ts); null: they do not. */
    private readonly fusion: Fusion | null = null,
  ) {
    const device = cache.device;
    const B = batch;
    const K = model.models ?? 1;
    const P = K > 1 ? model.layout.total : 0;
    const shapes = layerShapes(spec);
    const sizes = [spec.inputSize, ...shapes.map((s) => s.outFeatures)];
    const buf = (elements: number, label: string): GPUBuffer => createStorageBuffer(device, elements * 4, `${label} (batch ${B})`);
    this.stepSlots = createStepBuffer(device, capacity, `step slots (batch ${B})`);
    this.metrics = buf(2 * capacity * K, 'metrics');
    this.acts = sizes.map((n, l) => buf((l === 0 ? 1 : K) * B * n, `activation ${l}`));
    this.dActs = sizes.map((n, l) => buf(l === 0 ? 1 : K * B * n, `activation gradient ${l}`));
    this.predictions = buf(K * B, 'predictions');
    // Model strides (f32 elements; 0 with one model, or for the shared input): see the Dims structs of the shaders.
    const act = (l: number): number => (K > 1 && l > 0 ? B * sizes[l] : 0);

    const arena = new UniformArena(device, `static uniforms (batch ${B})`);
    const k = (name: keyof typeof KERNELS) => cache.get(name);
    const { layout, params, grads } = model;
    const L = shapes.length;

    // GEMM kernels per layer: vec4 loads where the layer's width allows them (kernel_variants.ts).
    const gemmNames = shapes.map((s, l) => ({
      forward: gemmKernel('forward', s.inFeatures, [layout.layers[l].weight.offset], cache.variant),
      dx: gemmKernel('backwardInput', s.inFeatures, [layout.layers[l].weight.offset]),
      dw: gemmKernel('backwardWeight', s.inFeatures, [layout.layers[l].weight.offset], cache.variant, s.outFeatures),
    }));
    // The rows one workgroup of layer 0's u8 forward kernel takes: a uint8 dataset's batches get an active-word list
    // per group of them besides their own (active_words.ts batchListsLength).
    const u8Forward = u8InputKernel(gemmNames[0].forward);
    this.listGroupRows = u8Forward ? KERNELS[u8Forward].block[1] : B;
    this.indices = buf(capacity * (B + (spec.inputSize % 4 === 0 ? batchListsLength(spec.inputSize / 4, B, this.listGroupRows) : 0)),
      'batch indices');
    // Pipelines only for the dispatches made here: layer 0's are made per dataset (inputDispatches), each dataset
    // building only the kernels of the path it takes; the dims slots need only the kernels' definitions.
    const defOf = (name: KernelName): { def: KernelDef } => ({ def: KERNELS[name] });
    const forwardDims = shapes.map((s, l) => arena.add(defOf(gemmNames[l].forward), {
      batch: B, inFeatures: s.inFeatures, outFeatures: s.outFeatures, relu: s.relu ? 1 : 0,
      wOffset: layout.layers[l].weight.offset, bOffset: layout.layers[l].bias.offset,
      xStride: act(l), pStride: P, yStride: act(l + 1),
    }));
    this.lossDims = Object.fromEntries(Object.entries(SOFTMAX_MODE).map(([mode, value]) => [
      mode, arena.add(k('softmaxCrossEntropy'), {
        batch: B, classes: spec.classes, mode: value, logitsStride: act(L), rowStride: K > 1 ? B : 0, models: K,
        dbOffset: layout.layers[L - 1].bias.offset, pStride: P,
      }),
    ])) as Record<LossMode, () => GPUBufferBinding>;
    // Backward, from the last layer to the first: dW, db (but the last layer's, which the loss writes, and those the
    // weight-gradient kernel writes too), then dx (masked by ReLU' of the layer's input) unless l = 0.
    const fusesBias = (l: number, dw: KernelName): boolean =>
      l < L - 1 && KERNELS[dw].biasGradient && layout.layers[l].bias.offset % 4 === 0 && P % 4 === 0;
    const sgd = optimizer.kind === 'sgd';
    // The layers past 0 whose backward pass is one dense_backward_narrow dispatch (the loss writes the last one's db).
    const narrow = shapes.map((s, l) => l > 0 && narrowBackward(s.inFeatures, s.outFeatures,
      [layout.layers[l].weight.offset, layout.layers[l].bias.offset, P], cache.variant));
    const layer0SgdUpdate = sgdUpdateKernel(gemmNames[0].dw);
    this.sgdUpdate = sgd && L > 1 && layer0SgdUpdate !== undefined && fusesBias(0, gemmNames[0].dw) && narrow.slice(1).every(Boolean);
    // The momentum settings of the kernels that apply the SGD step (their dims' last fields, kernels.ts SGD_DIMS).
    const sgdDims: Record<string, number> = sgd
      ? { momentum: optimizer.momentum, dampening: optimizer.dampening, nesterov: optimizer.nesterov ? 1 : 0 } : {};
    const backwardDims = shapes.map((s, l) => ({
      // Layer 0's dims in the layout of the kernel that will read them (its u8 twin shares it).
      dw: arena.add(defOf(l === 0 && this.sgdUpdate ? layer0SgdUpdate! : gemmNames[l].dw), {
        batch: B, inFeatures: s.inFeatures, outFeatures: s.outFeatures, dwOffset: layout.layers[l].weight.offset,
        dyStride: act(l + 1), xStride: act(l), pStride: P,
        dbOffset: layout.layers[l].bias.offset, biasGradient: fusesBias(l, gemmNames[l].dw) ? 1 : 0, ...sgdDims,
      }),
      db: arena.add(k('biasBackward'), {
        batch: B, outFeatures: s.outFeatures, dbOffset: layout.layers[l].bias.offset, dyStride: act(l + 1), pStride: P,
      }),
      dx: arena.add(defOf(gemmNames[l].dx), {
        batch: B, inFeatures: s.inFeatures, outFeatures: s.outFeatures, maskRelu: 1, wOffset: layout.layers[l].weight.offset,
        dyStride: act(l + 1), pStride: P, xStride: act(l),
      }),
    }));
    // Weights then biases (scalar kernels), or both in one vec4 dispatch (elementwise_variants.ts); none where the
    // backward pass applies the SGD step.
    const steps = this.sgdUpdate ? [] : optimizerDispatches(optimizer.kind, layout, P, cache.variant);
    const optimizerDims = steps.map((s) => arena.add(k(s.name), sgd
      ? { ...s.region, nesterov: optimizer.nesterov ? 1 : 0, momentum: optimizer.momentum, dampening: optimizer.dampening, pStride: P }
      : { ...s.region, beta1: optimizer.beta1, beta2: optimizer.beta2, eps: optimizer.eps, pStride: P }));
    const last = shapes[L - 1];
    const headChunks = this.sgdUpdate ? classifierHeadChunks(last.inFeatures, last.outFeatures,
      [layout.layers[L - 1].weight.offset, layout.layers[L - 1].bias.offset, P], cache.variant, device.limits.maxStorageBuffersPerShaderStage)
      : undefined;
    const headKernel = headChunks === undefined ? null : cache.get('classifierHeadStep', { OUT: last.outFeatures, CHUNKS: headChunks });
    this.head = headKernel && {
      kernel: headKernel,
      dims: arena.add(headKernel, {
        batch: B, inFeatures: last.inFeatures, wOffset: layout.layers[L - 1].weight.offset, bOffset: layout.layers[L - 1].bias.offset, ...sgdDims,
        models: K, pStride: P, xStride: act(L - 1), rowStride: K > 1 ? B : 0,
      }),
    };
    // The narrow layers' kernels, but the last layer's where the head kernel does its backward pass.
    const narrowLayers = shapes.map((s, l) => {
      if (!narrow[l] || (l === L - 1 && this.head)) return null;
      const kernel = cache.get('denseBackwardNarrow', { OUT: s.outFeatures, SGD_UPDATE: this.sgdUpdate ? 1 : 0 });
      return {
        kernel,
        dims: arena.add(kernel, {
          batch: B, inFeatures: s.inFeatures, maskRelu: 1, biasGradient: l < L - 1 ? 1 : 0, wOffset: layout.layers[l].weight.offset,
          dwOffset: layout.layers[l].weight.offset, dbOffset: layout.layers[l].bias.offset, dyStride: act(l + 1), xStride: act(l), pStride: P,
          ...sgdDims,
        }),
      };
    });
    this.staticUniforms = arena.finish();
    this.layer0 = {
      forward: gemmNames[0].forward, backwardWeight: gemmNames[0].dw, forwardDims: forwardDims[0], backwardWeightDims: backwardDims[0].dw,
      inFeatures: shapes[0].inFeatures, outFeatures: shapes[0].outFeatures, models: K,
      // The dims ask for the bias gradient by the f32 kernel; a dataset's kernel must also write it (inputDispatches).
      weightKernelWritesBias: (dw: KernelName) => fusesBias(0, gemmNames[0].dw) && KERNELS[dw].biasGradient,
      sgdUpdate: this.sgdUpdate,
    };

    // Layers 1 … L − 1; layer 0's forward dispatch is the dataset's (inputDispatches).
    this.forward = shapes.slice(1).map((s, i) => {
      const kernel = k(gemmNames[i + 1].forward);
      return makeDispatch(kernel, bindGroup(device, kernel, [forwardDims[i + 1](), this.acts[i + 1], params, this.acts[i + 2]]),
        gemmGroups(kernel, B, s.outFeatures), K);
    });
    const biasGradient = (l: number): Dispatch => makeDispatch(k('biasBackward'),
      bindGroup(device, k('biasBackward'), [backwardDims[l].db(), this.dActs[l + 1], grads]),
      linearGroups(k('biasBackward'), shapes[l].outFeatures), K);
    // Layers L − 1 … 1; layer 0's weight gradient is the dataset's (inputDispatches). A narrow layer's three gradients
    // are one dispatch on CPU drivers (kernel_variants.ts narrowBackward).
    this.backward = [];
    for (let l = this.head ? L - 2 : L - 1; l > 0; l--) {
      const s = shapes[l];
      const narrow = narrowLayers[l];
      if (narrow) {
        this.backward.push(makeDispatch(narrow.kernel,
          bindGroup(device, narrow.kernel, [narrow.dims(), this.dActs[l + 1], params, this.acts[l], grads, this.dActs[l],
            this.stepSlots, model.momentum]),
          [Math.ceil(s.inFeatures / 4 / narrow.kernel.workgroup[0]), 1], K));
        continue;
      }
      const d = backwardDims[l];
      const dw = k(gemmNames[l].dw);
      this.backward.push(makeDispatch(dw, bindGroup(device, dw, [d.dw(), this.dActs[l + 1], this.acts[l], grads]),
        gemmGroups(dw, s.outFeatures, s.inFeatures), K));
      if (l < L - 1 && !fusesBias(l, gemmNames[l].dw)) this.backward.push(biasGradient(l));
      const dx = k(gemmNames[l].dx);
      this.backward.push(makeDispatch(dx, bindGroup(device, dx, [d.dx(), this.dActs[l + 1], params, this.acts[l], this.dActs[l]]),
        gemmGroups(dx, B, s.inFeatures), K));
    }
    let layer0Bias: Dispatch | undefined;
    this.layer0Bias = () => (L > 1 ? layer0Bias ??= biasGradient(0) : null);
    const state = sgd ? [model.momentum] : [model.m, model.v];
    this.optimizerSteps = steps.map((s, i) => makeDispatch(k(s.name),
      bindGroup(device, k(s.name), [optimizerDims[i](), this.stepSlots, params, grads, ...state]),
      stridedGroups(k(s.name), s.invocations, cache.variant.maxStridedGroups), K));
  }

  /**
   * Gather, forward, loss (+ per-batch metrics) of the batch in the cursor's step slot; the loss moves the cursor.
   * The caller has written the slots (writeStepSlots, cursor 0) before encoding its first batch.
   */
  encodeForward(pass: GPUComputePassEncoder, ds: GpuDataset, mode: LossMode): void {
    for (const d of this.batchForwardDispatches(this.inputDispatches(ds), mode)) encodeDispatch(pass, d);
  }

  /**
   * One whole training step on the cursor's slot: forward, loss (+ metrics, cursor move), backward, optimizer update
   * (the last two in one where the backward kernels apply the SGD step, and the head's in one dispatch with its forward
   * and the loss where the plan has a head kernel).
   */
  encodeTrainStep(pass: GPUComputePassEncoder, ds: GpuDataset): void {
    for (const d of this.trainStepDispatches(this.inputDispatches(ds))) encodeDispatch(pass, d);
  }

  /**
   * `steps` training steps from slot 0: one fused dispatch where the variant fuses a step's dispatches and they can
   * be fused (fused_steps.ts), else encodeTrainStep's dispatches per step. Queues the fused kernel's sync words, so it
   * is called after any earlier chunk's submit, like writeStepSlots.
   */
  encodeTrainSteps(pass: GPUComputePassEncoder, ds: GpuDataset, steps: number): void {
    if (this.fusedSteps(ds)?.encode(pass, steps)) return;
    for (let s = 0; s < steps; s++) this.encodeTrainStep(pass, ds);
  }

  /**
   * Builds the dataset's fused training step where it has one; the promise settles when encodeTrainSteps can use it
   * or never will (FusedSteps.ready). Undefined where the step does not fuse.
   */
  prepareTrainSteps(ds: GpuDataset): Promise<void> | undefined {
    return this.fusedSteps(ds)?.ready;
  }

  /** A training step's dispatches in order. */
  private trainStepDispatches(input: InputDispatches): Dispatch[] {
    // The head kernel runs the last layer's forward, the loss and the last layer's backward (this.backward starts at
    // the layer before it).
    const out = input.head
      ? [...(input.gather ? [input.gather] : []), input.forward0, ...this.forward.slice(0, -1), input.head]
      : this.batchForwardDispatches(input, 'gradient');
    out.push(...this.backward, input.backwardWeight0);
    if (input.backwardBias0) out.push(input.backwardBias0);
    out.push(...this.optimizerSteps);
    return out;
  }

  /** The dataset's fused training step (made on first use), or null where the variant or the step's kernels rule it out. */
  private fusedSteps(ds: GpuDataset): FusedSteps | null {
    if (!this.fusion) return null;
    let fused = this.fused.get(ds.handle.id);
    if (fused === undefined) {
      const input = this.inputDispatches(ds);
      const dispatches = this.trainStepDispatches(input).filter((d) => d.counts[0] > 0 && d.counts[1] > 0);
      // Forward kernels' x and weight kernels' y run along the layer's outputs, i.e. its weights' rows.
      const affinity = (d: Dispatch): FusedStage['affinity'] =>
        d === input.forward0 || this.forward.includes(d) ? 'x' : d === input.backwardWeight0 ? 'y' : 'none';
      fused = unfusableReason(dispatches) === undefined
        ? FusedSteps.build(this.cache.device, dispatches.map((d) => fusedStage(d, affinity(d))), this.fusion, this.capacity,
          `fused training step (batch ${this.batch}, dataset ${ds.handle.id})`)
        : null;
      this.fused.set(ds.handle.id, fused);
    }
    return fused;
  }

  destroy(): void {
    for (const b of [this.indices, this.stepSlots, this.metrics, ...this.acts, ...this.dActs, this.predictions,
      this.staticUniforms]) b.destroy();
    for (const g of this.inputs.values()) g.dims?.destroy();
    this.inputs.clear();
    for (const f of this.fused.values()) f?.destroy();
    this.fused.clear();
  }

  /** Gather, forward and loss of a batch. */
  private batchForwardDispatches(input: InputDispatches, mode: LossMode): Dispatch[] {
    return [...(input.gather ? [input.gather] : []), input.forward0, ...this.forward, input.loss[mode]];
  }

  /** Whether layer 0 reads this dataset's packed uint8 words itself (and so its batches' active-word lists). */
  readsPackedInput(ds: GpuDataset): boolean {
    return packedInputKernels(this.layer0.forward, this.layer0.backwardWeight, ds.handle.dim, ds.packedU8) !== undefined;
  }

  /**
   * A dataset's gather, layer-0 and loss dispatches, made on its first use with this batch size. Where layer 0's
   * kernels have u8 twins for a dataset of packed uint8 features (kernel_variants.ts packedInputKernels), they read and
   * normalise the batch's rows from the dataset themselves and nothing is gathered (gemm_codegen.ts GemmInput says
   * why); any other dataset gathers normalised f32 rows for layer 0's f32 kernels. Each path builds only its own
   * pipelines. The loss reads the batch's labels from the dataset.
   */
  private inputDispatches(ds: GpuDataset): InputDispatches & { dims: GPUBuffer | null } {
    let input = this.inputs.get(ds.handle.id);
    if (input) return input;
    const { device, variant } = this.cache;
    const u8 = packedInputKernels(this.layer0.forward, this.layer0.backwardWeight, ds.handle.dim, ds.packedU8);
    const { forwardDims, backwardWeightDims, inFeatures, outFeatures, models, weightKernelWritesBias, sgdUpdate } = this.layer0;
    const { params, grads, momentum } = this.model;
    const L = this.acts.length - 1;
    // One workgroup for all rows and models: it moves the cursor, which no other workgroup may be reading.
    const lossKernel = this.cache.get('softmaxCrossEntropy');
    const lossDispatch = (mode: LossMode): Dispatch => makeDispatch(lossKernel, bindGroup(device, lossKernel, [this.lossDims[mode](),
      this.stepSlots, this.acts[L], ds.labels, this.indices, this.dActs[L], this.predictions, this.metrics, grads]), [1, 1]);
    const loss = { gradient: lossDispatch('gradient'), probabilities: lossDispatch('probabilities'), none: lossDispatch('none') };
    const head = this.head && makeDispatch(this.head.kernel, bindGroup(device, this.head.kernel, [this.head.dims(), this.stepSlots,
      this.acts[L - 1], params, ds.labels, this.indices, this.dActs[L - 1], this.predictions, this.metrics, momentum]), [1, 1]);
    // Layer 0 from the kernels that read this dataset's batch: its u8 words (with the normalisation, the step slots and
    // the sample indices), or the gathered f32 rows. A weight kernel that applies the SGD step (this.sgdUpdate) writes
    // the params instead of the grads and also binds the step slots (the u8 kernels have them already) and the momentum.
    const layer0 = (forwardName: KernelName, gradientWeightName: KernelName, x: GPUBuffer, extra: GPUBuffer[]) => {
      const forward = this.cache.get(forwardName);
      const weightName = sgdUpdate ? sgdUpdateKernel(gradientWeightName)! : gradientWeightName;
      const weight = this.cache.get(weightName);
      const weightBindings = sgdUpdate
        ? [backwardWeightDims(), this.dActs[1], x, params, ...(extra.length ? extra : [this.stepSlots]), momentum]
        : [backwardWeightDims(), this.dActs[1], x, grads, ...extra];
      return {
        forward0: makeDispatch(forward, bindGroup(device, forward, [forwardDims(), x, params, this.acts[1], ...extra]),
          gemmGroups(forward, this.batch, outFeatures), models),
        backwardWeight0: makeDispatch(weight, bindGroup(device, weight, weightBindings), gemmGroups(weight, outFeatures, inFeatures), models),
        backwardBias0: weightKernelWritesBias(weightName) ? null : this.layer0Bias(),
      };
    };
    if (u8) {
      input = { dims: null, gather: null, loss, head, ...layer0(u8.forward, u8.backwardWeight, ds.features, [ds.normalisation, this.stepSlots, this.indices]) };
    } else {
      // Scalar: 2-D over features × rows; vector kernels: 1-D over the batch's groups of 4 or 16 features.
      const choice = gatherKernel(ds.handle.dim, variant);
      const kernel = this.cache.get(choice.name);
      const bytes = new Uint8Array(uniformBytes(KERNELS[choice.name].dims));
      packUniform(KERNELS[choice.name].dims, { batch: this.batch, dim: ds.handle.dim, packedU8: ds.packedU8 ? 1 : 0 }, new DataView(bytes.buffer));
      const gatherDims = uniformBuffer(device, bytes, `gather dims (dataset ${ds.handle.id})`);
      const group = bindGroup(device, kernel, [gatherDims, this.stepSlots, ds.features, ds.normalisation, this.indices, this.acts[0]]);
      const counts: [number, number] = choice.perInvocation === 1
        ? [Math.ceil(ds.handle.dim / kernel.workgroup[0]), this.batch]
        : linearGroups(kernel, this.batch * ds.handle.dim / choice.perInvocation);
      input = { dims: gatherDims, gather: makeDispatch(kernel, group, counts), loss, head, ...layer0(this.layer0.forward, this.layer0.backwardWeight, this.acts[0], []) };
    }
    this.inputs.set(ds.handle.id, input);
    return input;
  }
}
