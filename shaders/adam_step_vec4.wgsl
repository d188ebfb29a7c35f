// adam_step.wgsl four parameters at a time (twin: adamStep in src/cpu/optimizer_steps.ts): the same arithmetic per
// component, on vec4s of params, grads, m and v (see sgd_step_vec4.wgsl for why and for the region's contract:
// params[offset .. offset + count) of model gid.z, bias terms from offset + biasStart, all multiples of 4).

struct Tensor {
  offset: u32,
  count: u32,
  biasStart: u32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  pStride: u32,
}

@group(0) @binding(0) var<uniform> tensor: Tensor;
@group(0) @binding(1) var<storage, read> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)
@group(0) @binding(2) var<storage, read_write> params: array<vec4f>;
@group(0) @binding(3) var<storage, read> grads: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> m: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> v: array<vec4f>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // This step's slot: the host resets the cursor at the chunk's start, and the step's loss kernel
  // (softmax_cross_entropy.wgsl), which runs before this one, has already moved it to the next step's.
  let step = &stepSlots.steps[stepSlots.cursor - 1u];
  // The step's values, read once before the loop (storage reads are not kept across the loop's stores).
  let terms = step.models[gid.z];
  let lr = step.lr;
  let bc1 = step.bc1;
  let bc2 = step.bc2;
  let beta1 = tensor.beta1;
  let beta2 = tensor.beta2;
  let eps = tensor.eps;
  let base = (gid.z * tensor.pStride + tensor.offset) / 4u;
  let quads = tensor.count / 4u;
  let biasQuad = tensor.biasStart / 4u;
  // Grid-stride over quads: each is updated exactly once however many workgroups run.
  let stride = groups.x * groups.y * WG;
  for (var j = gid.x + gid.y * groups.x * WG; j < quads; j += stride) {
    let isBias = j >= biasQuad;
    let gradCoefficient = select(terms.x, terms.z, isBias);
    let paramScale = select(terms.y, terms.w, isBias);
    let i = base + j;
    let p = params[i];
    let g = grads[i] + gradCoefficient * p;
    let mi = beta1 * m[i] + (1.0 - beta1) * g;
    let vi = beta2 * v[i] + (1.0 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    params[i] = p * paramScale - (lr * (mi / bc1)) / (sqrt(vi / bc2) + eps);
  }
}
