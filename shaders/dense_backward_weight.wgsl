// Dense layer backward to the weight: dw = dyᵀ·x (twin: denseBackwardWeight in src/cpu/dense.ts).
// dy is (batch, outFeatures); x is (batch, inFeatures); dw is (outFeatures, inFeatures) at grads[dwOffset].
// Overwrites dw. Register-blocked 4×4 per invocation (4 outputs × 4 inputs), no shared memory.

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
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;

override WG_COLS: u32 = 8u;
override WG_ROWS: u32 = 8u;

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col0 = gid.x * 4u; // input feature
  let row0 = gid.y * 4u; // output feature
  if (col0 >= dims.inFeatures || row0 >= dims.outFeatures) { return; }
  let m = dims.outFeatures;
  let n = dims.inFeatures;
  // Clamped edges: duplicate lanes are computed but never stored (no branch in the loop).
  let o0 = min(row0, m - 1u);
  let o1 = min(row0 + 1u, m - 1u);
  let o2 = min(row0 + 2u, m - 1u);
  let o3 = min(row0 + 3u, m - 1u);
  let i0 = min(col0, n - 1u);
  let i1 = min(col0 + 1u, n - 1u);
  let i2 = min(col0 + 2u, n - 1u);
  let i3 = min(col0 + 3u, n - 1u);
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var r = 0u; r < dims.batch; r++) {
    let d = gid.z * dims.dyStride + r * m;
    let xr = gid.z * dims.xStride + r * n;
    let xv = vec4f(x[xr + i0], x[xr + i1], x[xr + i2], x[xr + i3]);
    acc0 += dy[d + o0] * xv;
    acc1 += dy[d + o1] * xv;
    acc2 += dy[d + o2] * xv;
    acc3 += dy[d + o3] * xv;
  }
  let po = gid.z * dims.pStride;
  storeRow(po, row0, col0, acc0);
  storeRow(po, row0 + 1u, col0, acc1);
  storeRow(po, row0 + 2u, col0, acc2);
  storeRow(po, row0 + 3u, col0, acc3);
}

fn storeRow(po: u32, row: u32, col0: u32, v: vec4f) {
  if (row >= dims.outFeatures) { return; }
  let base = po + dims.dwOffset + row * dims.inFeatures;
  for (var j = 0u; j < 4u; j++) {
    if (col0 + j < dims.inFeatures) { grads[base + col0 + j] = v[j]; }
  }
}
