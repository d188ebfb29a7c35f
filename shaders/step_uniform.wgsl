// The per-step slots (layout: STEP_FIELDS, MODEL_TERMS_OFFSET and STEP_SLOTS_OFFSET in src/gpu/step_uniform.ts), shared
// by every kernel with a 'step' binding: src/gpu/kernels.ts prepends this file to their sources, so the structs have
// one definition. A chunk's slots lie in one storage buffer behind a cursor, the index of the current step's slot
// (a static binding: on lavapipe a dynamic-offset bind group costs ~4× a static one). Kernels before a batch's loss
// read `stepSlots.steps[stepSlots.cursor]`; the loss kernel (softmax_cross_entropy.wgsl), the one kernel that binds
// the buffer read_write, moves the cursor at its end, so the optimizer kernels after it read `cursor − 1`.
// models has MAX_SWEEP_MODELS = (256 − 48) / 16 = 13 entries: the per-model decay terms of a batched sweep.

struct Step {
  lr: f32,
  bc1: f32,
  bc2: f32,
  firstStep: u32,
  wGradCoefficient: f32,
  wParamScale: f32,
  bGradCoefficient: f32,
  bParamScale: f32,
  slot: u32,
  indexOffset: u32,
  activeOffset: u32,
  // Per model of a batched sweep: (wGradCoefficient, wParamScale, bGradCoefficient, bParamScale).
  models: array<vec4f, 13>,
}

// The cursor is the buffer's first word (softmax_cross_entropy.wgsl writes it there); Step's 16-byte alignment puts slot 0 at
// byte 16 and slot s at 16 + 256·s.
struct StepSlots {
  cursor: u32,
  steps: array<Step>,
}
