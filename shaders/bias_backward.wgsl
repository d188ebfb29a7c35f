// Bias gradient: db = column sums of dy (twin: biasBackward in src/cpu/dense.ts).
// dy is (batch, outFeatures); db is (outFeatures) at grads[dbOffset]. One invocation per output; overwrites db.

struct Dims {
  batch: u32,
  outFeatures: u32,
  dbOffset: u32,
  dyStride: u32,
  pStride: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> grads: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= dims.outFeatures) { return; }
  var s = 0.0;
  for (var r = 0u; r < dims.batch; r++) { s += dy[gid.z * dims.dyStride + r * dims.outFeatures + o]; }
  grads[gid.z * dims.pStride + dims.dbOffset + o] = s;
}
