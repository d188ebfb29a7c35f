// A classifier head's whole training step in one dispatch, for CPU drivers with subgroups (twins:
// denseForward, softmaxCrossEntropy, denseBackwardInput, denseBackwardWeight, biasBackward and sgdStep in src/cpu):
//   logits = x·wᵀ + b, x (batch, inFeatures) the last hidden layer's ReLU output, w (OUT, inFeatures) at wOffset,
//   b at bOffset;
//   softmax cross-entropy against row r's label labels[indices[indexOffset + r]] (indexOffset from the step's slot):
//   predictions[r] = argmax (first on ties), and the batch's (Σ −log softmax[label], Σ correct) in
//   metrics[slot × models + z];
//   dx = dLogits·w masked by ReLU'(x), with dLogits = (softmax − onehot) / batch;
//   w and b take the decayed SGD step (sgdUpdate, shaders/sgd_update.wgsl, appended) with dw = dLogitsᵀ·x and
//   db = the column sums of dLogits;
//   and last the step cursor moves to the next slot, as softmax_cross_entropy.wgsl does.
// A batched sweep's models (dims.models) run one after the other in the one workgroup, each with its tensors at
// z × the dims strides and its decay terms from the step slot: the cursor moves in this kernel, so no other workgroup
// may be reading it, and one model's arithmetic is the same however many are stacked (a sweep records what its runs
// would alone, bit for bit: test/cli/sweep_batched_gpu.test.ts).
// Why: on lavapipe a dispatch costs ~35 µs whatever it does, and these were three (the head's forward, the loss and
// dense_backward_narrow) of ~45 µs each for the paper's 64×128×10 head. Measured in docs/bench.md.
// One workgroup of one subgroup (SG lanes) takes the rows one by one: lane l owns the input vec4s q = l + SG·j
// (j < CHUNKS) and keeps its vec4s of w and of dw for every output in registers, so x is loaded once per row and
// lane, w once per lane, and a row's logits are OUT subgroupAdds of the lanes' partial dot products, which leave every
// lane with the whole row: each lane then computes the row's softmax itself (the same values in every lane) and from
// it its share of dx and dw without another exchange.
// Requires inFeatures % 4 == 0, wOffset, bOffset and pStride % 4 == 0, OUT ≤ MAX_OUT and OUT·CHUNKS ≤ MAX_REGS,
// CHUNKS = ceil(inFeatures / 4 / SG) (kernel_variants.ts classifierHeadChunks checks), and 9 storage bindings.

enable subgroups;

struct Dims {
  batch: u32,
  inFeatures: u32,
  wOffset: u32,
  bOffset: u32,
  momentum: f32,
  dampening: f32,
  nesterov: u32,
  models: u32,
  pStride: u32,
  xStride: u32,
  rowStride: u32,
}

struct Metric {
  lossSum: f32,
  correct: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read_write> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)
@group(0) @binding(2) var<storage, read> x: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> params: array<vec4f>;
@group(0) @binding(4) var<storage, read> labels: array<u32>;
@group(0) @binding(5) var<storage, read> indices: array<u32>;
@group(0) @binding(6) var<storage, read_write> dx: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> predictions: array<u32>;
@group(0) @binding(8) var<storage, read_write> metrics: array<Metric>;
@group(0) @binding(9) var<storage, read_write> momentumBuf: array<vec4f>;

override SG: u32 = 8u;
/** The head's outputs (classes) and each lane's input vec4s: pipeline constants, so the loops over them unroll. */
override OUT: u32 = 1u;
override CHUNKS: u32 = 1u;
const MAX_OUT = 16u;
const MAX_REGS = 64u;

@compute @workgroup_size(SG)
fn main(@builtin(subgroup_invocation_id) lane: u32) {
  let cursor = stepSlots.cursor;
  for (var z = 0u; z < dims.models; z++) { headStep(lane, cursor, z); }
  // Every lane has read the cursor by now; kernels after this one in the step read the slot before it (cursor − 1).
  storageBarrier();
  if (lane == 0u) { stepSlots.cursor = cursor + 1u; }
}

/** Model z's step (its tensors at z × the dims strides). */
fn headStep(lane: u32, cursor: u32, z: u32) {
  let n4 = dims.inFeatures / 4u;
  let slot = stepSlots.steps[cursor].slot;
  let batchIndices = stepSlots.steps[cursor].indexOffset;
  let po = z * dims.pStride;
  let w0 = (po + dims.wOffset) / 4u;
  let b0 = po + dims.bOffset;
  let xo = z * dims.xStride / 4u;
  // This lane's vec4s of each output's weights (zero past the input's end, so that they add nothing), the bias (the
  // same in every lane), and the accumulators of dw and db.
  var w: array<vec4f, MAX_REGS>;
  var dw: array<vec4f, MAX_REGS>;
  var b: array<f32, MAX_OUT>;
  var db: array<f32, MAX_OUT>;
  for (var c = 0u; c < OUT; c++) {
    for (var j = 0u; j < CHUNKS; j++) {
      let q = lane + SG * j;
      w[c * CHUNKS + j] = select(vec4f(0.0), params[w0 + c * n4 + min(q, n4 - 1u)], q < n4);
      dw[c * CHUNKS + j] = vec4f(0.0);
    }
    let e = b0 + c;
    b[c] = params[e / 4u][e % 4u];
    db[c] = 0.0;
  }
  let invBatch = 1.0 / f32(dims.batch);
  var lossSum = 0.0;
  var hits = 0u;
  for (var r = 0u; r < dims.batch; r++) {
    var xs: array<vec4f, MAX_REGS>;
    for (var j = 0u; j < CHUNKS; j++) { xs[j] = x[xo + r * n4 + min(lane + SG * j, n4 - 1u)]; }
    // The row's logits, in every lane.
    var logits: array<f32, MAX_OUT>;
    for (var c = 0u; c < OUT; c++) {
      var partial = 0.0;
      for (var j = 0u; j < CHUNKS; j++) { partial += dot(xs[j], w[c * CHUNKS + j]); }
      logits[c] = subgroupAdd(partial) + b[c];
    }
    var rowMax = logits[0];
    var argmax = 0u;
    for (var c = 1u; c < OUT; c++) {
      if (logits[c] > rowMax) {
        rowMax = logits[c];
        argmax = c;
      }
    }
    var sum = 0.0;
    for (var c = 0u; c < OUT; c++) { sum += exp(logits[c] - rowMax); }
    // Labels were validated on upload; the clamp only keeps a corrupt label from reading outside the row.
    let label = min(labels[indices[batchIndices + r]], OUT - 1u);
    lossSum += log(sum) + rowMax - logits[label];
    hits += select(0u, 1u, argmax == label);
    if (lane == 0u) { predictions[z * dims.rowStride + r] = argmax; }
    // dLogits of the row; db sums them; this lane's share of dx and dw.
    var d: array<f32, MAX_OUT>;
    let inv = 1.0 / (sum * f32(dims.batch));
    for (var c = 0u; c < OUT; c++) {
      d[c] = exp(logits[c] - rowMax) * inv - select(0.0, invBatch, c == label);
      db[c] += d[c];
    }
    for (var j = 0u; j < CHUNKS; j++) {
      var g = vec4f(0.0);
      for (var c = 0u; c < OUT; c++) {
        g = fma(vec4f(d[c]), w[c * CHUNKS + j], g);
        dw[c * CHUNKS + j] = fma(vec4f(d[c]), xs[j], dw[c * CHUNKS + j]);
      }
      // `!(a > 0)` as in the twin, so that a NaN activation also blocks the gradient.
      g = select(vec4f(0.0), g, xs[j] > vec4f(0.0));
      let q = lane + SG * j;
      if (q < n4) { dx[xo + r * n4 + q] = g; }
    }
  }
  // Every lane has read w and b by now.
  storageBarrier();
  let weightTerms = sgdTerms(cursor, z, false, dims.momentum, dims.dampening, dims.nesterov);
  for (var c = 0u; c < OUT; c++) {
    for (var j = 0u; j < CHUNKS; j++) {
      let q = lane + SG * j;
      if (q < n4) { sgdUpdate(w0 + c * n4 + q, dw[c * CHUNKS + j], weightTerms); }
    }
  }
  if (lane == 0u) {
    metrics[slot * dims.models + z] = Metric(lossSum, hits);
    // By vec4 (bOffset and pStride % 4 == 0); the padding past OUT has gradient 0 and stays 0.
    let biasTerms = sgdTerms(cursor, z, true, dims.momentum, dims.dampening, dims.nesterov);
    for (var c4 = 0u; c4 < (OUT + 3u) / 4u; c4++) {
      var g = vec4f(0.0);
      for (var k = 0u; k < 4u; k++) { g[k] = select(0.0, db[min(4u * c4 + k, MAX_OUT - 1u)], 4u * c4 + k < OUT); }
      sgdUpdate(b0 / 4u + c4, g, biasTerms);
    }
  }
}
