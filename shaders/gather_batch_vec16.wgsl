// Batch gather, sixteen consecutive features per invocation (twin: gatherBatch in src/cpu/reductions.ts; see
// gather_batch_vec4.wgsl for why). Needs dim % 16 == 0 (the host checks): 16 packed uint8 features are then one
// aligned vec4u (dims.packedU8 = 1), 16 f32 features four vec4s (0). 1-D dispatch over batch × dim / 16 invocations.

struct Dims {
  batch: u32,
  dim: u32,
  packedU8: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)
@group(0) @binding(2) var<storage, read> features: array<vec4u>;
@group(0) @binding(3) var<storage, read> normalisation: array<vec4f>;
@group(0) @binding(4) var<storage, read> indices: array<u32>;
@group(0) @binding(5) var<storage, read_write> x: array<vec4f>;

override WG: u32 = 64u;

fn bytes(word: u32) -> vec4f {
  return vec4f(vec4u(word, word >> 8u, word >> 16u, word >> 24u) & vec4u(0xffu));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // This step's slot: the host resets the cursor at the chunk's start, the batch's loss kernel
  // (softmax_cross_entropy.wgsl) moves it.
  let step = &stepSlots.steps[stepSlots.cursor];
  let quads = dims.dim / 4u;
  let blocks = dims.dim / 16u;
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= dims.batch * blocks) { return; }
  let r = i / blocks;
  let b = i % blocks;
  let sample = indices[step.indexOffset + r];
  var raw: array<vec4f, 4>;
  if (dims.packedU8 != 0u) {
    let words = features[sample * blocks + b];
    raw = array(bytes(words.x), bytes(words.y), bytes(words.z), bytes(words.w));
  } else {
    let e = sample * quads + 4u * b;
    raw = array(bitcast<vec4f>(features[e]), bitcast<vec4f>(features[e + 1u]),
      bitcast<vec4f>(features[e + 2u]), bitcast<vec4f>(features[e + 3u]));
  }
  for (var k = 0u; k < 4u; k++) {
    let q = 4u * b + k;
    x[r * quads + q] = raw[k] * normalisation[q] + normalisation[quads + q];
  }
}
