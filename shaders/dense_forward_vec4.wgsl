// dense_forward for inFeatures % 4 == 0 (twin: denseForward in src/cpu/dense.ts): y = x·wᵀ + b, ReLU fused by a
// flag. Both operands run along inFeatures, so the inner loop reads vec4s of x and of w and accumulates dot products:
// a 4×4 block of y per invocation from 8 vec4 loads per 4 steps of k. x is (batch, inFeatures); w is (outFeatures,
// inFeatures) at params[wOffset]; b at params[bOffset]; y is (batch, outFeatures). Requires inFeatures % 4 == 0 and
// wOffset % 4 == 0 (see kernel_variants.ts).

struct Dims {
  batch: u32,
  inFeatures: u32,
  outFeatures: u32,
  relu: u32,
  wOffset: u32,
  bOffset: u32,
  xStride: u32,
  pStride: u32,
  yStride: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read> params: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

override WG_COLS: u32 = 8u;
override WG_ROWS: u32 = 8u;

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col0 = gid.x * 4u;
  let row0 = gid.y * 4u;
  if (col0 >= dims.outFeatures || row0 >= dims.batch) { return; }
  let k4 = dims.inFeatures / 4u;
  let xo = gid.z * dims.xStride / 4u;
  let po = gid.z * dims.pStride;
  // Rows and columns past the edge are clamped: duplicates computed, never stored (no branch in the loop).
  let lastRow = dims.batch - 1u;
  let lastCol = dims.outFeatures - 1u;
  let x0 = xo + min(row0, lastRow) * k4;
  let x1 = xo + min(row0 + 1u, lastRow) * k4;
  let x2 = xo + min(row0 + 2u, lastRow) * k4;
  let x3 = xo + min(row0 + 3u, lastRow) * k4;
  let w = (po + dims.wOffset) / 4u;
  let w0 = w + min(col0, lastCol) * k4;
  let w1 = w + min(col0 + 1u, lastCol) * k4;
  let w2 = w + min(col0 + 2u, lastCol) * k4;
  let w3 = w + min(col0 + 3u, lastCol) * k4;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var i = 0u; i < k4; i++) {
    let a = params[w0 + i];
    let b = params[w1 + i];
    let c = params[w2 + i];
    let d = params[w3 + i];
    let r0 = x[x0 + i];
    let r1 = x[x1 + i];
    let r2 = x[x2 + i];
    let r3 = x[x3 + i];
    acc0 += vec4f(dot(r0, a), dot(r0, b), dot(r0, c), dot(r0, d));
    acc1 += vec4f(dot(r1, a), dot(r1, b), dot(r1, c), dot(r1, d));
    acc2 += vec4f(dot(r2, a), dot(r2, b), dot(r2, c), dot(r2, d));
    acc3 += vec4f(dot(r3, a), dot(r3, b), dot(r3, c), dot(r3, d));
  }
  let bias = vec4f(bias1(po, col0, lastCol), bias1(po, col0 + 1u, lastCol), bias1(po, col0 + 2u, lastCol), bias1(po, col0 + 3u, lastCol));
  let yo = gid.z * dims.yStride;
  storeRow(yo, row0, col0, acc0 + bias);
  storeRow(yo, row0 + 1u, col0, acc1 + bias);
  storeRow(yo, row0 + 2u, col0, acc2 + bias);
  storeRow(yo, row0 + 3u, col0, acc3 + bias);
}

/** params is bound as vec4s: the bias (any alignment) is read element-wise. */
fn bias1(po: u32, col: u32, lastCol: u32) -> f32 {
  let e = po + dims.bOffset + min(col, lastCol);
  return params[e / 4u][e % 4u];
}

fn storeRow(yo: u32, row: u32, col0: u32, v: vec4f) {
  if (row >= dims.batch) { return; }
  var out = v;
  if (dims.relu != 0u) { out = select(out, vec4f(0.0), out < vec4f(0.0)); }
  let base = yo + row * dims.outFeatures;
  for (var j = 0u; j < 4u; j++) {
    if (col0 + j < dims.outFeatures) { y[base + col0 + j] = out[j]; }
  }
}
