// Dense layer forward: y = x·wᵀ + b, ReLU fused by a flag (twin: denseForward in src/cpu/dense.ts).
// x is (batch, inFeatures); w is (outFeatures, inFeatures) at params[wOffset]; b is (outFeatures) at params[bOffset];
// y is (batch, outFeatures). Register-blocked: each invocation computes a 4×4 block of y in registers and uses no
// shared memory (on CPU drivers the cache does the tiling and barriers cost, see ENVIRONMENT.md).

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
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

override WG_COLS: u32 = 8u;
override WG_ROWS: u32 = 8u;

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col0 = gid.x * 4u;
  let row0 = gid.y * 4u;
  if (col0 >= dims.outFeatures || row0 >= dims.batch) { return; }
  let k = dims.inFeatures;
  let xo = gid.z * dims.xStride;
  let po = gid.z * dims.pStride;
  // Rows and columns past the edge are clamped to the last valid one: those lanes compute duplicates that are
  // never stored, so the inner loop needs no branch whatever the shape.
  let lastRow = dims.batch - 1u;
  let lastCol = dims.outFeatures - 1u;
  let x0 = xo + min(row0, lastRow) * k;
  let x1 = xo + min(row0 + 1u, lastRow) * k;
  let x2 = xo + min(row0 + 2u, lastRow) * k;
  let x3 = xo + min(row0 + 3u, lastRow) * k;
  let w0 = po + dims.wOffset + min(col0, lastCol) * k;
  let w1 = po + dims.wOffset + min(col0 + 1u, lastCol) * k;
  let w2 = po + dims.wOffset + min(col0 + 2u, lastCol) * k;
  let w3 = po + dims.wOffset + min(col0 + 3u, lastCol) * k;
  // accR holds y[row0 + R, col0 .. col0 + 3].
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var i = 0u; i < k; i++) {
    let wv = vec4f(params[w0 + i], params[w1 + i], params[w2 + i], params[w3 + i]);
    acc0 += x[x0 + i] * wv;
    acc1 += x[x1 + i] * wv;
    acc2 += x[x2 + i] * wv;
    acc3 += x[x3 + i] * wv;
  }
  let b = po + dims.bOffset;
  let bias = vec4f(params[b + min(col0, lastCol)], params[b + min(col0 + 1u, lastCol)],
                   params[b + min(col0 + 2u, lastCol)], params[b + min(col0 + 3u, lastCol)]);
  let yo = gid.z * dims.yStride;
  storeRow(yo, row0, col0, acc0 + bias);
  storeRow(yo, row0 + 1u, col0, acc1 + bias);
  storeRow(yo, row0 + 2u, col0, acc2 + bias);
  storeRow(yo, row0 + 3u, col0, acc3 + bias);
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
