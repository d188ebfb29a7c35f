// dense_backward_weight for inFeatures % 4 == 0 (twin: denseBackwardWeight in src/cpu/dense.ts): dw = dyᵀ·x.
// Neighbouring invocations own neighbouring vec4s of an input-feature row, so they read neighbouring vec4s of x
// (one wide load on CPU drivers, coalesced on GPUs) while dy is the same for all of them (a broadcast).
// Each invocation computes 4 output features × one vec4 of input features. dy is (batch, outFeatures); x is
// (batch, inFeatures); dw is (outFeatures, inFeatures) at grads[dwOffset]. Requires inFeatures % 4 == 0 and
// dwOffset % 4 == 0 (see kernel_variants.ts). Overwrites dw.

struct Dims {
  batch: u32,
  inFeatures: u32,
  outFeatures: u32,
  dwOffset: u32,
  dyStride: u32,
  xStride: u32,
  pStride: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> grads: array<vec4f>;

override WG_COLS: u32 = 8u;
override WG_ROWS: u32 = 8u;

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n4 = dims.inFeatures / 4u;
  let col4 = gid.x;
  let row0 = gid.y * 4u; // output feature
  let m = dims.outFeatures;
  if (col4 >= n4 || row0 >= m) { return; }
  // Output features past the edge are clamped: duplicates computed, never stored.
  let o0 = min(row0, m - 1u);
  let o1 = min(row0 + 1u, m - 1u);
  let o2 = min(row0 + 2u, m - 1u);
  let o3 = min(row0 + 3u, m - 1u);
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var r = 0u; r < dims.batch; r++) {
    let d = gid.z * dims.dyStride + r * m;
    let xv = x[gid.z * dims.xStride / 4u + r * n4 + col4];
    acc0 += dy[d + o0] * xv;
    acc1 += dy[d + o1] * xv;
    acc2 += dy[d + o2] * xv;
    acc3 += dy[d + o3] * xv;
  }
  let base = (gid.z * dims.pStride + dims.dwOffset) / 4u + col4;
  grads[base + row0 * n4] = acc0;
  if (row0 + 1u < m) { grads[base + (row0 + 1u) * n4] = acc1; }
  if (row0 + 2u < m) { grads[base + (row0 + 2u) * n4] = acc2; }
  if (row0 + 3u < m) { grads[base + (row0 + 3u) * n4] = acc3; }
}
