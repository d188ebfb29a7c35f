// The per-step uniform slot (layout: STEP_FIELDS and MODEL_TERMS_OFFSET in src/gpu/step_uniform.ts), shared by every
// kernel with a 'step' binding: src/gpu/kernels.ts prepends this file to their sources, so the struct has one definition.
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
  // Per model of a batched sweep: (wGradCoefficient, wParamScale, bGradCoefficient, bParamScale).
  models: array<vec4f, 13>,
}
