// The whole backward pass of a narrow dense layer (OUT ≤ MAX_OUT outputs, e.g. a classifier head) in one dispatch, for
// CPU drivers with subgroups (twins: denseBackwardInput, denseBackwardWeight and biasBackward in src/cpu/dense.ts):
//   dx = dy·w, masked by ReLU'(x) when dims.maskRelu is set, where x is the layer's input;
//   dw = dyᵀ·x at grads[dwOffset], overwriting it;
//   db = column sums of dy at grads[dbOffset] when dims.biasGradient is set.
// dy is (batch, OUT), w (OUT, inFeatures), x and dx (batch, inFeatures).
// One workgroup is one subgroup of SG lanes; each lane owns one vec4 of input features for all three products: it keeps
// that vec4 of each of w's OUT rows in registers, loads its own vec4 of x once per batch row, and gets dy's rows by
// shuffles (per SG rows each lane loads one row's OUT values). Why: on lavapipe a storage load costs a loop over the
// lanes and a dispatch ~35 µs whatever it does, and the generic kernels took two dispatches (dense_backward_weight_vec4,
// dense_backward_input_vec4) of ~55 µs each for the 64×128×10 head, loading w and dy per lane and output.
// Requires inFeatures % 4 == 0 and wOffset, dwOffset, dbOffset, pStride and the strides % 4 == 0 (kernel_variants.ts
// checks).
// With the pipeline constant SGD_UPDATE set, the gradients update the parameters instead of being stored
// (SGD_DIMS in src/gpu/kernels.ts says when and why): w and b take the decayed SGD step (sgdUpdate,
// shaders/sgd_update.wgsl, appended) with dw, and with db, the in-kernel sums when dims.biasGradient is set, else the
// bias gradient the loss kernel left in grads (the last layer's). Each lane updates the weights it read, after using
// them for dx; lane 0 of workgroup 0 updates the biases.

enable subgroups;

struct Dims {
  batch: u32,
  inFeatures: u32,
  maskRelu: u32,
  biasGradient: u32,
  wOffset: u32,
  dwOffset: u32,
  dbOffset: u32,
  dyStride: u32,
  xStride: u32,
  pStride: u32,
  momentum: f32,
  dampening: f32,
  nesterov: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> params: array<vec4f>;
@group(0) @binding(3) var<storage, read> x: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> grads: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> dx: array<vec4f>;
@group(0) @binding(6) var<storage, read> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)
@group(0) @binding(7) var<storage, read_write> momentumBuf: array<vec4f>;

override SG: u32 = 8u;
/** The layer's outputs, a pipeline constant: the loops over them unroll and the per-output arrays stay in registers. */
override OUT: u32 = 1u;
const MAX_OUT = 16u;
override SGD_UPDATE: bool = false;

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let n4 = dims.inFeatures / 4u;
  // This lane's vec4 of input features; past the edge clamped for loads, skipped for stores. No early return: every
  // lane takes part in the shuffles.
  let mine4 = wid.x * SG + lane;
  let q = min(mine4, n4 - 1u);
  let stores = mine4 < n4;
  let lastRow = dims.batch - 1u;
  // Batched sweeps: workgroup_id.z is the model, its tensors at z × the dims strides.
  let po = wid.z * dims.pStride / 4u;
  let dyo = wid.z * dims.dyStride;
  let xo = wid.z * dims.xStride / 4u;
  var w: array<vec4f, MAX_OUT>;
  var dw: array<vec4f, MAX_OUT>;
  var db: array<f32, MAX_OUT>;
  for (var c = 0u; c < OUT; c++) {
    w[c] = params[po + dims.wOffset / 4u + c * n4 + q];
    dw[c] = vec4f(0.0);
    db[c] = 0.0;
  }
  for (var r0 = 0u; r0 < dims.batch; r0 += SG) {
    // Row r0 + lane of dy, shuffled to all lanes below; its sums are this lane's share of db (clamped rows excluded).
    let mineRow = dyo + min(r0 + lane, lastRow) * OUT;
    let mineValid = r0 + lane < dims.batch;
    var dyMine: array<f32, MAX_OUT>;
    for (var c = 0u; c < OUT; c++) {
      dyMine[c] = dy[mineRow + c];
      db[c] += select(0.0, dyMine[c], mineValid);
    }
    let rows = min(SG, dims.batch - r0);
    for (var t = 0u; t < rows; t++) {
      let i = xo + (r0 + t) * n4 + q;
      let xv = x[i];
      var g = vec4f(0.0);
      for (var c = 0u; c < OUT; c++) {
        let d = subgroupShuffle(dyMine[c], t);
        g = fma(vec4f(d), w[c], g);
        dw[c] = fma(vec4f(d), xv, dw[c]);
      }
      // `!(a > 0)` as in the twin, so that a NaN activation also blocks the gradient.
      if (dims.maskRelu != 0u) { g = select(vec4f(0.0), g, xv > vec4f(0.0)); }
      if (stores) { dx[i] = g; }
    }
  }
  // This step's slot for the SGD step: the one before the cursor (this kernel runs after the loss).
  let slot = stepSlots.cursor - 1u;
  if (stores) {
    let dwBase = po + dims.dwOffset / 4u;
    let terms = sgdTerms(slot, wid.z, false, dims.momentum, dims.dampening, dims.nesterov);
    for (var c = 0u; c < OUT; c++) {
      if (SGD_UPDATE) { sgdUpdate(dwBase + c * n4 + q, dw[c], terms); } else { grads[dwBase + c * n4 + q] = dw[c]; }
    }
  }
  for (var c = 0u; c < OUT; c++) { db[c] = subgroupAdd(db[c]); }
  if (wid.x == 0u && lane == 0u) {
    let dbBase = wid.z * dims.pStride + dims.dbOffset;
    if (dims.biasGradient != 0u && !SGD_UPDATE) {
      for (var c = 0u; c < OUT; c++) {
        let e = dbBase + c;
        grads[e / 4u][e % 4u] = db[c];
      }
    }
    if (SGD_UPDATE) {
      // By vec4 (dbOffset and pStride are multiples of 4); the padding past OUT has gradient 0 and stays 0.
      let terms = sgdTerms(slot, wid.z, true, dims.momentum, dims.dampening, dims.nesterov);
      for (var c4 = 0u; c4 < (OUT + 3u) / 4u; c4++) {
        var g = grads[dbBase / 4u + c4];
        if (dims.biasGradient != 0u) {
          for (var j = 0u; j < 4u; j++) { g[j] = select(0.0, db[min(4u * c4 + j, MAX_OUT - 1u)], 4u * c4 + j < OUT); }
        }
        sgdUpdate(dbBase / 4u + c4, g, terms);
      }
    }
  }
}
