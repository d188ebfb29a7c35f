// The decayed SGD update of four parameters (twin: sgdStep in src/cpu/optimizer_steps.ts), shared by sgd_step_vec4.wgsl
// and the gradient kernels that apply it to each vec4 of gradient as they finish it instead of storing the gradient
// (SGD_DIMS in src/gpu/kernels.ts says why). src/gpu/kernels.ts appends this file to their sources; each
// declares `params` and `momentumBuf` as array<vec4f> storage (momentumBuf is read and written only with momentum) and
// `stepSlots` (step_uniform.wgsl).

struct SgdTerms {
  gradCoefficient: f32,
  paramScale: f32,
  lr: f32,
  firstStep: bool,
  momentum: f32,
  keep: f32,
  nesterov: bool,
}

/**
 * The terms of model z's weights or biases in step slot `slot`: the step's learning rate and decay terms (Step.models,
 * see step_uniform.wgsl) and the static momentum, dampening and Nesterov flag.
 */
fn sgdTerms(slot: u32, z: u32, isBias: bool, momentum: f32, dampening: f32, nesterov: u32) -> SgdTerms {
  let step = &stepSlots.steps[slot];
  let terms = (*step).models[z];
  return SgdTerms(select(terms.x, terms.z, isBias), select(terms.y, terms.w, isBias), (*step).lr, (*step).firstStep != 0u,
    momentum, 1.0 - dampening, nesterov != 0u);
}

/** params[i] (and momentumBuf[i]) after one step with gradient `grad`. */
fn sgdUpdate(i: u32, grad: vec4f, t: SgdTerms) {
  let p = params[i];
  // The gradient term uses θ before the decoupled shrink, as the twin (only one of the two is non-zero).
  var g = grad + t.gradCoefficient * p;
  if (t.momentum != 0.0) {
    var buf = g;
    if (!t.firstStep) { buf = t.momentum * momentumBuf[i] + t.keep * g; }
    momentumBuf[i] = buf;
    g = select(buf, g + t.momentum * buf, t.nesterov);
  }
  params[i] = p * t.paramScale - t.lr * g;
}
