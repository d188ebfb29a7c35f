// The per-step slots: what changes from one training step to the next, written once per chunk into one storage buffer
// behind a cursor that the GPU advances (structs Step and StepSlots in shaders/step_uniform.wgsl, prepended to every
// kernel with a 'step' binding; each batch's loss kernel, shaders/softmax_cross_entropy.wgsl, moves the cursor).
import { decayTerms, type DecayConfig, type OptimizerConfig } from '../core/optimizer';
import { packUniform, UNIFORM_SLOT_BYTES, type UniformField } from './uniform_layout';

export const STEP_FIELDS: readonly UniformField[] = [
  ['lr', 'f32'],
  ['bc1', 'f32'],
  ['bc2', 'f32'],
  ['firstStep', 'u32'],
  ['wGradCoefficient', 'f32'],
  ['wParamScale', 'f32'],
  ['bGradCoefficient', 'f32'],
  ['bParamScale', 'f32'],
  ['slot', 'u32'],
  ['indexOffset', 'u32'],
  ['activeOffset', 'u32'],
];

export interface StepValues {
  /** Learning rate of the step (0 for evaluation slots). */
  lr: number;
  /** 1-based optimizer step t (Adam's bias corrections, SGD's first-step flag); 0 for evaluation slots. */
  t: number;
  /** Metrics slot and the offset of the step's batch in the index buffer. */
  slot: number;
  indexOffset: number;
  /**
   * Offset in the index buffer of the batch's active-word list (gemm_codegen.ts GemmInput), read by the kernels that
   * take a uint8 dataset's words themselves; absent (0) only where none of them runs.
   */
  activeOffset?: number;
}

/**
 * Models of a batched sweep whose decay terms fit in a step slot: after STEP_FIELDS (44 bytes, 48 with padding), one
 * vec4 (wGradCoefficient, wParamScale, bGradCoefficient, bParamScale) per model fills the rest of the 256-byte slot.
 */
export const MAX_SWEEP_MODELS = (UNIFORM_SLOT_BYTES - 48) / 16;
/** Byte offset of the per-model decay terms in a slot (struct Step's `models` array, read by sgd_step and adam_step). */
const MODEL_TERMS_OFFSET = 48;

/**
 * Packs `steps` consecutive slots into one buffer-sized byte array. `decay` is one config, or one per model of a
 * batched sweep (at most MAX_SWEEP_MODELS); the optimizer kernels read model z's terms from the slot's `models[z]`.
 */
export function packStepSlots(
  steps: StepValues[], optimizer: OptimizerConfig, decay: DecayConfig | readonly DecayConfig[],
): Uint8Array<ArrayBuffer> {
  const decays = Array.isArray(decay) ? decay as readonly DecayConfig[] : [decay as DecayConfig];
  if (decays.length < 1 || decays.length > MAX_SWEEP_MODELS) {
    throw new RangeError(`a step slot holds the decay terms of 1 to ${MAX_SWEEP_MODELS} models, got ${decays.length}`);
  }
  const bytes = new Uint8Array(Math.max(steps.length, 1) * UNIFORM_SLOT_BYTES);
  const view = new DataView(bytes.buffer);
  steps.forEach((s, i) => {
    const w = decayTerms(decays[0], s.lr, false);
    const b = decayTerms(decays[0], s.lr, true);
    // Bias corrections in float64 on the host, as the CPU twin computes them; t = 0 (evaluation) gives 1 so that
    // nothing divides by zero in a slot that no optimizer reads.
    const bc = (beta: number): number => (s.t > 0 ? 1 - Math.pow(beta, s.t) : 1);
    packUniform(STEP_FIELDS, {
      lr: s.lr,
      bc1: bc(optimizer.beta1),
      bc2: bc(optimizer.beta2),
      firstStep: s.t === 1 ? 1 : 0,
      wGradCoefficient: w.gradCoefficient,
      wParamScale: w.paramScale,
      bGradCoefficient: b.gradCoefficient,
      bParamScale: b.paramScale,
      slot: s.slot,
      indexOffset: s.indexOffset,
      activeOffset: s.activeOffset ?? 0,
    }, view, i * UNIFORM_SLOT_BYTES);
    decays.forEach((d, m) => {
      const mw = decayTerms(d, s.lr, false);
      const mb = decayTerms(d, s.lr, true);
      const at = i * UNIFORM_SLOT_BYTES + MODEL_TERMS_OFFSET + 16 * m;
      [mw.gradCoefficient, mw.paramScale, mb.gradCoefficient, mb.paramScale].forEach((v, j) => view.setFloat32(at + 4 * j, v, true));
    });
  });
  return bytes;
}

/**
 * Byte offset of slot 0 in a step buffer: struct StepSlots holds the cursor (u32) at byte 0, then `steps`, whose
 * element Step is 16-byte aligned (its vec4f array), so at byte 16; slot s starts at STEP_SLOTS_OFFSET + 256·s.
 */
export const STEP_SLOTS_OFFSET = 16;

/** A step buffer with room for `capacity` slots behind the cursor (storage: read by the kernels, the cursor written; copied from by tests). */
export function createStepBuffer(device: GPUDevice, capacity: number, label: string): GPUBuffer {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`a step buffer needs at least 1 slot, got ${capacity}`);
  return device.createBuffer({
    label, size: STEP_SLOTS_OFFSET + capacity * UNIFORM_SLOT_BYTES, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  });
}

/**
 * Queues packed slots (packStepSlots) and the cursor: a chunk or an evaluation calls this before encoding its
 * dispatches, so that its step s reads slot s however many chunks were queued before it (queue order: their writes
 * and dispatches run first).
 */
export function writeStepSlots(device: GPUDevice, buffer: GPUBuffer, slots: Uint8Array<ArrayBuffer>, cursor = 0): void {
  const capacity = (buffer.size - STEP_SLOTS_OFFSET) / UNIFORM_SLOT_BYTES;
  if (slots.byteLength > capacity * UNIFORM_SLOT_BYTES) {
    throw new RangeError(`${slots.byteLength / UNIFORM_SLOT_BYTES} step slots do not fit in ${buffer.label}'s ${capacity}`);
  }
  if (!Number.isInteger(cursor) || cursor < 0 || cursor >= capacity) throw new RangeError(`step cursor ${cursor} is not in [0, ${capacity})`);
  device.queue.writeBuffer(buffer, 0, Uint32Array.of(cursor));
  device.queue.writeBuffer(buffer, STEP_SLOTS_OFFSET, slots);
}
