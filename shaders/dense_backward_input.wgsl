// Dense layer backward to the input: dx = dy·w, masked by ReLU'(reluInput) when dims.maskRelu is set
// (twin: denseBackwardInput in src/cpu/dense.ts). reluInput is the layer's input activation, itself a ReLU output,
// so its derivative is 1 where it is > 0. dy is (batch, outFeatures); w is (outFeatures, inFeatures) at
// params[wOffset]; dx and reluInput are (batch, inFeatures). Register-blocked 4×4 per invocation, no shared memory.

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
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read> reluInput: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

override WG_COLS: u32 = 8u;
override WG_ROWS: u32 = 8u;

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col0 = gid.x * 4u;
  let row0 = gid.y * 4u;
  if (col0 >= dims.inFeatures || row0 >= dims.batch) { return; }
  let k = dims.outFeatures;
  let n = dims.inFeatures;
  let dyo = gid.z * dims.dyStride;
  let po = gid.z * dims.pStride;
  // Clamped edges: duplicate lanes are computed but never stored (no branch in the loop).
  let lastRow = dims.batch - 1u;
  let lastCol = n - 1u;
  let d0 = dyo + min(row0, lastRow) * k;
  let d1 = dyo + min(row0 + 1u, lastRow) * k;
  let d2 = dyo + min(row0 + 2u, lastRow) * k;
  let d3 = dyo + min(row0 + 3u, lastRow) * k;
  let c0 = po + dims.wOffset + min(col0, lastCol);
  let c1 = po + dims.wOffset + min(col0 + 1u, lastCol);
  let c2 = po + dims.wOffset + min(col0 + 2u, lastCol);
  let c3 = po + dims.wOffset + min(col0 + 3u, lastCol);
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var o = 0u; o < k; o++) {
    let w = o * n;
    let wv = vec4f(params[c0 + w], params[c1 + w], params[c2 + w], params[c3 + w]);
    acc0 += dy[d0 + o] * wv;
    acc1 += dy[d1 + o] * wv;
    acc2 += dy[d2 + o] * wv;
    acc3 += dy[d3 + o] * wv;
  }
  let xo = gid.z * dims.xStride;
  storeRow(xo, row0, col0, acc0);
  storeRow(xo, row0 + 1u, col0, acc1);
  storeRow(xo, row0 + 2u, col0, acc2);
  storeRow(xo, row0 + 3u, col0, acc3);
}

fn storeRow(xo: u32, row: u32, col0: u32, v: vec4f) {
  if (row >= dims.batch) { return; }
  let base = xo + row * dims.inFeatures;
  for (var j = 0u; j < 4u; j++) {
    let col = col0 + j;
    if (col < dims.inFeatures) {
      var g = v[j];
      // `!(a > 0)` as in the twin, so that a NaN activation also blocks the gradient.
      if (dims.maskRelu != 0u && !(reluInput[base + col] > 0.0)) { g = 0.0; }
      dx[base + col] = g;
    }
  }
}
