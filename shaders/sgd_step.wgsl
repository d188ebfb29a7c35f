// torch.optim.SGD step with the decay terms of core/optimizer decayTerms (twin: sgdStep in src/cpu/optimizer_steps.ts):
//   g = ∇L + gradCoefficient·θ;  θ ← paramScale·θ
//   buf = g on the first step, else momentum·buf + (1 − dampening)·g
//   g = g + momentum·buf (Nesterov) or buf;  θ ← θ − lr·g
// Updates params[offset .. offset + count) with grads at the same offsets. The per-step values (lr, first step, the
// decay terms of weights and of biases, which differ when biases are not decayed) come from the step slot.

struct Tensor {
  offset: u32,
  count: u32,
  isBias: u32,
  nesterov: u32,
  momentum: f32,
  dampening: f32,
  pStride: u32,
}

@group(0) @binding(0) var<uniform> tensor: Tensor;
@group(0) @binding(1) var<storage, read> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)
@group(0) @binding(2) var<storage, read_write> params: array<f32>;
@group(0) @binding(3) var<storage, read> grads: array<f32>;
@group(0) @binding(4) var<storage, read_write> momentumBuf: array<f32>;

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
  let firstStep = step.firstStep != 0u;
  // Grid-stride: a dispatch may cover fewer invocations than elements (CPU drivers pay per workgroup, see
  // stridedGroups in dispatch.ts); each element is still updated exactly once.
  let stride = groups.x * groups.y * WG;
  for (var j = gid.x + gid.y * groups.x * WG; j < tensor.count; j += stride) {
    // Batched sweeps: model gid.z's tensors.
    let i = gid.z * tensor.pStride + tensor.offset + j;
    let p = params[i];
    // The gradient term uses θ before the decoupled shrink, as the twin (only one of the two is non-zero).
    var g = grads[i] + gradCoefficient * p;
    if (tensor.momentum != 0.0) {
      var buf = g;
      if (!firstStep) { buf = tensor.momentum * momentumBuf[i] + (1.0 - tensor.dampening) * g; }
      momentumBuf[i] = buf;
      g = select(buf, g + tensor.momentum * buf, tensor.nesterov != 0u);
    }
    params[i] = p * paramScale - lr * g;
  }
}
