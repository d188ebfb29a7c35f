// Batch gather from a dataset that stays on the GPU, compact (twin: gatherBatch in src/cpu/reductions.ts):
// x[r, f] = raw(indices[step.indexOffset + r], f) · scale[f] + shift[f] (the loss kernel reads the batch's labels
// through the same indices itself, softmax_cross_entropy.wgsl).
// features hold uint8 values packed 4 per u32 (little-endian, dims.packedU8 = 1) or float32 bit patterns (0).
// normalisation holds scale (dim) then shift (dim). x is (batch, dim). 2-D dispatch: x over features, y over rows.

struct Dims {
  batch: u32,
  dim: u32,
  packedU8: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)
@group(0) @binding(2) var<storage, read> features: array<u32>;
@group(0) @binding(3) var<storage, read> normalisation: array<f32>;
@group(0) @binding(4) var<storage, read> indices: array<u32>;
@group(0) @binding(5) var<storage, read_write> x: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  // This step's slot: the host resets the cursor at the chunk's start, the batch's loss kernel
  // (softmax_cross_entropy.wgsl) moves it.
  let step = &stepSlots.steps[stepSlots.cursor];
  let f = gid.x;
  let r = gid.y;
  if (f >= dims.dim || r >= dims.batch) { return; }
  let sample = indices[step.indexOffset + r];
  let e = sample * dims.dim + f;
  var raw: f32;
  if (dims.packedU8 != 0u) {
    raw = f32((features[e / 4u] >> (8u * (e % 4u))) & 0xffu);
  } else {
    raw = bitcast<f32>(features[e]);
  }
  x[r * dims.dim + f] = raw * normalisation[f] + normalisation[dims.dim + f];
}
