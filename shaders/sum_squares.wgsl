// ‖x‖² of one tensor (twin: sumSquares in src/cpu/reductions.ts): out[dims.slot] = Σ x[offset + i]², i < count.
// One workgroup per tensor: strided partial sums, then a tree reduction in workgroup memory.

struct Dims {
  offset: u32,
  count: u32,
  slot: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

const WG = 256u;
var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) tid: u32) {
  var s = 0.0;
  for (var i = tid; i < dims.count; i += WG) {
    let v = x[dims.offset + i];
    s += v * v;
  }
  partial[tid] = s;
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    workgroupBarrier();
    if (tid < stride) { partial[tid] += partial[tid + stride]; }
  }
  if (tid == 0u) { out[dims.slot] = partial[0]; }
}
