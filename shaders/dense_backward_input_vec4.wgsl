// dense_backward_input for inFeatures % 4 == 0 (twin: denseBackwardInput in src/cpu/dense.ts): dx = dy·w, masked by
// ReLU'(reluInput) when dims.maskRelu is set. w is (outFeatures, inFeatures) row-major, i.e. already (K, N) for this
// product, so neighbouring invocations read neighbouring vec4s of w (one wide load on CPU drivers, coalesced on GPUs)
// while dy is the same for all of them (a broadcast). Each invocation computes 4 rows × one vec4 of columns.
// Requires inFeatures % 4 == 0 and wOffset % 4 == 0 (asserted by the host, see kernel_variants.ts).

struct Dims {
  batch: u32,
  inFeatures: u32,
  outFeatures: u32,
  maskRelu: u32,
  wOffset: u32,
  dyStride: u32,
  pStride: u32,
  xStride: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<vec4f>;
@group(0) @binding(3) var<storage, read> reluInput: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> dx: array<vec4f>;

override WG_COLS: u32 = 8u;
override WG_ROWS: u32 = 8u;

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n4 = dims.inFeatures / 4u;
  let col4 = gid.x;
  let row0 = gid.y * 4u;
  if (col4 >= n4 || row0 >= dims.batch) { return; }
  let k = dims.outFeatures;
  let dyo = gid.z * dims.dyStride;
  // Rows past the edge are clamped: duplicates computed, never stored.
  let lastRow = dims.batch - 1u;
  let d0 = dyo + min(row0, lastRow) * k;
  let d1 = dyo + min(row0 + 1u, lastRow) * k;
  let d2 = dyo + min(row0 + 2u, lastRow) * k;
  let d3 = dyo + min(row0 + 3u, lastRow) * k;
  let w = (gid.z * dims.pStride + dims.wOffset) / 4u + col4;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var o = 0u; o < k; o++) {
    let wv = params[w + o * n4];
    acc0 += dy[d0 + o] * wv;
    acc1 += dy[d1 + o] * wv;
    acc2 += dy[d2 + o] * wv;
    acc3 += dy[d3 + o] * wv;
  }
  let xo = gid.z * dims.xStride / 4u;
  storeRow(xo, row0, col4, n4, acc0);
  storeRow(xo, row0 + 1u, col4, n4, acc1);
  storeRow(xo, row0 + 2u, col4, n4, acc2);
  storeRow(xo, row0 + 3u, col4, n4, acc3);
}

fn storeRow(xo: u32, row: u32, col4: u32, n4: u32, v: vec4f) {
  if (row >= dims.batch) { return; }
  let i = xo + row * n4 + col4;
  var g = v;
  // `!(a > 0)` as in the twin, so that a NaN activation also blocks the gradient.
  if (dims.maskRelu != 0u) { g = select(vec4f(0.0), g, reluInput[i] > vec4f(0.0)); }
  dx[i] = g;
}
