// sgd_step.wgsl four parameters at a time (twin: sgdStep in src/cpu/optimizer_steps.ts): the same arithmetic per
// component (sgdUpdate, shaders/sgd_update.wgsl), on vec4s of params, grads and momentum. Why: on CPU drivers every
// storage access at a run-time address is a loop over the SIMD lanes whatever its width, so a vec4 access moves 4
// floats for the price of one.
// Updates params[offset .. offset + count) of model gid.z (at gid.z × pStride), with weight decay terms before
// offset + biasStart and bias terms from there: one dispatch can cover the weight and bias groups together.
// offset, count, biasStart and pStride are multiples of 4 (the host checks, see elementwise_variants.ts), so
// every vec4 lies wholly inside the region and on one side of biasStart.

struct Tensor {
  offset: u32,
  count: u32,
  biasStart: u32,
  nesterov: u32,
  momentum: f32,
  dampening: f32,
  pStride: u32,
}

@group(0) @binding(0) var<uniform> tensor: Tensor;
@group(0) @binding(1) var<storage, read> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)
@group(0) @binding(2) var<storage, read_write> params: array<vec4f>;
@group(0) @binding(3) var<storage, read> grads: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> momentumBuf: array<vec4f>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // This step's slot: the host resets the cursor at the chunk's start, and the step's loss kernel
  // (softmax_cross_entropy.wgsl), which runs before this one, has already moved it to the next step's.
  // The step's values, read once before the loop (storage reads are not kept across the loop's stores).
  let slot = stepSlots.cursor - 1u;
  let weightTerms = sgdTerms(slot, gid.z, false, tensor.momentum, tensor.dampening, tensor.nesterov);
  let biasTerms = sgdTerms(slot, gid.z, true, tensor.momentum, tensor.dampening, tensor.nesterov);
  let base = (gid.z * tensor.pStride + tensor.offset) / 4u;
  let quads = tensor.count / 4u;
  let biasQuad = tensor.biasStart / 4u;
  // Grid-stride over quads: each is updated exactly once however many workgroups run.
  let stride = groups.x * groups.y * WG;
  for (var j = gid.x + gid.y * groups.x * WG; j < quads; j += stride) {
    var terms = weightTerms;
    if (j >= biasQuad) { terms = biasTerms; }
    sgdUpdate(base + j, grads[base + j], terms); // shaders/sgd_update.wgsl (appended)
  }
}
