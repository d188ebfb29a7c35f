// torch.optim.Adam / AdamW step with the decay terms of core/optimizer decayTerms
// (twin: adamStep in src/cpu/optimizer_steps.ts):
//   g = ∇L + gradCoefficient·θ;  m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²
//   θ ← paramScale·θ − lr · (m / bc1) / (√(v / bc2) + eps),  bc1 = 1 − β1^t, bc2 = 1 − β2^t
// The bias corrections are computed on the host in float64 (as the twin) and arrive in the step slot.
// Updates params[offset .. offset + count) with grads, m and v at the same offsets.

struct Tensor {
  offset: u32,
  count: u32,
  isBias: u32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  pStride: u32,
}

@group(0) @binding(0) var<uniform> tensor: Tensor;
@group(0) @binding(1) var<storage, read> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)
@group(0) @binding(2) var<storage, read_write> params: array<f32>;
@group(0) @binding(3) var<storage, read> grads: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // This step's slot: the host resets the cursor at the chunk's start, and the step's loss kernel
  // (softmax_cross_entropy.wgsl), which runs before this one, has already moved it to the next step's.
  let step = &stepSlots.steps[stepSlots.cursor - 1u];
  // The step's values, read once before the loop: the compiler cannot keep storage reads in registers across the
  // loop's stores (params is storage too), and would reload them per element. Batched sweeps: model gid.z's terms.
  let terms = step.models[gid.z];
  let isBias = tensor.isBias != 0u;
  let gradCoefficient = select(terms.x, terms.z, isBias);
  let paramScale = select(terms.y, terms.w, isBias);
  let lr = step.lr;
  let bc1 = step.bc1;
  let bc2 = step.bc2;
  // Grid-stride: a dispatch may cover fewer invocations than elements (CPU drivers pay per workgroup, see
  // stridedGroups in dispatch.ts); each element is still updated exactly once.
  let stride = groups.x * groups.y * WG;
  for (var j = gid.x + gid.y * groups.x * WG; j < tensor.count; j += stride) {
    // Batched sweeps: model gid.z's tensors.
    let i = gid.z * tensor.pStride + tensor.offset + j;
    let p = params[i];
    let g = grads[i] + gradCoefficient * p;
    let mi = tensor.beta1 * m[i] + (1.0 - tensor.beta1) * g;
    let vi = tensor.beta2 * v[i] + (1.0 - tensor.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    params[i] = p * paramScale - (lr * (mi / bc1)) / (sqrt(vi / bc2) + tensor.eps);
  }
}
