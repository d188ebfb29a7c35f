// Batch gather of packed uint8 rows as they are stored, 16 features (one vec4u of 4 words) per invocation, for the
// layer-0 kernels that read uint8 words and normalise them themselves (gemm_codegen.ts GemmInput 'u8'). Twin: the
// dataset's bytes of the batch's samples (the f32 gather, gather_batch_vec16.wgsl, normalises here instead). Needs
// dim % 16 == 0 (the host checks). 1-D dispatch over batch × dim / 16 invocations.

struct Dims {
  batch: u32,
  dim: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)
@group(0) @binding(2) var<storage, read> features: array<vec4u>;
@group(0) @binding(3) var<storage, read> labels: array<u32>;
@group(0) @binding(4) var<storage, read> indices: array<u32>;
@group(0) @binding(5) var<storage, read_write> words: array<vec4u>;
@group(0) @binding(6) var<storage, read_write> batchLabels: array<u32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // This step's slot: the host resets the cursor at the chunk's start, the batch's loss kernel
  // (softmax_cross_entropy.wgsl) moves it.
  let step = &stepSlots.steps[stepSlots.cursor];
  let blocks = dims.dim / 16u;
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= dims.batch * blocks) { return; }
  let r = i / blocks;
  let b = i % blocks;
  let sample = indices[step.indexOffset + r];
  words[r * blocks + b] = features[sample * blocks + b];
  if (b == 0u) { batchLabels[r] = labels[sample]; }
}
