// Batch gather, four consecutive features per invocation (twin: gatherBatch in src/cpu/reductions.ts; scalar kernel:
// gather_batch.wgsl). Same contract: x[r, f] = raw(indices[step.indexOffset + r], f) · scale[f] + shift[f].
// Needs dim % 4 == 0 (the host checks, see elementwise_variants.ts): every row
// then starts on a 4-feature boundary, so a quad is one u32 of packed uint8 (dims.packedU8 = 1) or one vec4 of f32
// bit patterns (0), and scale, shift and x are read and written as vec4s. Why: on CPU drivers every storage access at
// a run-time address is a loop over the SIMD lanes, whatever its width, so moving 4 floats per access costs ~1/4.
// 1-D dispatch over batch × dim / 4 quads (folded into 2-D past 65535 workgroups: linearGroups in dispatch.ts).

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

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // This step's slot: the host resets the cursor at the chunk's start, the batch's loss kernel
  // (softmax_cross_entropy.wgsl) moves it.
  let step = &stepSlots.steps[stepSlots.cursor];
  let quads = dims.dim / 4u;
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= dims.batch * quads) { return; }
  let r = i / quads;
  let q = i % quads;
  let sample = indices[step.indexOffset + r];
  // The quad's index among all quads of the dataset: a u32 word of bytes, or a vec4 of floats.
  let e = sample * quads + q;
  var raw: vec4f;
  if (dims.packedU8 != 0u) {
    let word = features[e / 4u][e % 4u];
    raw = vec4f(vec4u(word, word >> 8u, word >> 16u, word >> 24u) & vec4u(0xffu));
  } else {
    raw = bitcast<vec4f>(features[e]);
  }
  x[r * quads + q] = raw * normalisation[q] + normalisation[quads + q];
}
