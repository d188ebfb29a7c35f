// Softmax cross-entropy of one batch, and everything else a step does with its logits, in one workgroup (twins:
// softmaxCrossEntropy in src/cpu/softmax_cross_entropy.ts, biasBackward in src/cpu/dense.ts).
// logits is (batch, classes); row r's label is the dataset's labels[indices[indexOffset + r]], indexOffset from the
// current step slot (the gathers leave the labels to this kernel). Per row r: predictions[r] = argmax (first on
// ties). By dims.mode,
// out (batch, classes) gets dLogits = (softmax − onehot) / batch (0, the gradient of the *mean* loss), the
// probabilities (1), or nothing (2). Numerically stable: the row maximum is subtracted before exp.
// Then, per model: metrics[slot × models + z] = (Σ −log softmax[label], Σ correct) over the batch, where slot is the
// current step slot's field; in mode 0 the last layer's bias gradient, the column sums of dLogits, at
// grads[dbOffset]; and last the step cursor moves to the next slot (struct StepSlots, shaders/step_uniform.wgsl).
// Why one workgroup doing all that: on a CPU driver every dispatch costs ~35 µs whatever it does (lavapipe, measured
// with test/gpu/perf/extra_dispatch_cost.ts), and these were four dispatches (loss, metrics, bias gradient, cursor
// advance) of a few µs of work each; the cursor can only move in a dispatch that no other workgroup shares.

struct Dims {
  batch: u32,
  classes: u32,
  mode: u32,
  logitsStride: u32,
  rowStride: u32,
  models: u32,
  dbOffset: u32,
  pStride: u32,
}

struct Metric {
  lossSum: f32,
  correct: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read_write> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)
@group(0) @binding(2) var<storage, read> logits: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<u32>;
@group(0) @binding(4) var<storage, read> indices: array<u32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<storage, read_write> predictions: array<u32>;
@group(0) @binding(7) var<storage, read_write> metrics: array<Metric>;
@group(0) @binding(8) var<storage, read_write> grads: array<f32>;

const WG = 64u;
var<workgroup> lossPartial: array<f32, WG>;
var<workgroup> correctPartial: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) tid: u32) {
  // This step's slot: the host resets the cursor at the chunk's start; this kernel moves it at its end.
  let cursor = stepSlots.cursor;
  let slot = stepSlots.steps[cursor].slot;
  let batchIndices = stepSlots.steps[cursor].indexOffset;
  // Batched sweeps: model z's logits, gradients, predictions and bias gradient; all models share the labels.
  for (var z = 0u; z < dims.models; z++) {
    var lossSum = 0.0;
    var hits = 0u;
    for (var row = tid; row < dims.batch; row += WG) {
      let base = z * dims.logitsStride + row * dims.classes;
      var rowMax = logits[base];
      var argmax = 0u;
      for (var c = 1u; c < dims.classes; c++) {
        let v = logits[base + c];
        if (v > rowMax) {
          rowMax = v;
          argmax = c;
        }
      }
      var sum = 0.0;
      for (var c = 0u; c < dims.classes; c++) { sum += exp(logits[base + c] - rowMax); }
      // Labels were validated on upload; the clamp only keeps a corrupt label from reading outside the row.
      let label = min(labels[indices[batchIndices + row]], dims.classes - 1u);
      lossSum += log(sum) + rowMax - logits[base + label];
      hits += select(0u, 1u, argmax == label);
      predictions[z * dims.rowStride + row] = argmax;
      if (dims.mode != 2u) {
        let toGradient = dims.mode == 0u;
        let inv = select(1.0 / sum, 1.0 / (sum * f32(dims.batch)), toGradient);
        let hit = select(0.0, 1.0 / f32(dims.batch), toGradient);
        for (var c = 0u; c < dims.classes; c++) {
          out[base + c] = exp(logits[base + c] - rowMax) * inv - select(0.0, hit, c == label);
        }
      }
    }
    lossPartial[tid] = lossSum;
    correctPartial[tid] = hits;
    for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
      workgroupBarrier();
      if (tid < stride) {
        lossPartial[tid] += lossPartial[tid + stride];
        correctPartial[tid] += correctPartial[tid + stride];
      }
    }
    workgroupBarrier();
    if (tid == 0u) { metrics[slot * dims.models + z] = Metric(lossPartial[0], correctPartial[0]); }
    if (dims.mode == 0u) {
      // Every lane's dLogits rows of this model, visible to the whole workgroup.
      storageBarrier();
      for (var c = tid; c < dims.classes; c += WG) {
        var s = 0.0;
        for (var r = 0u; r < dims.batch; r++) { s += out[z * dims.logitsStride + r * dims.classes + c]; }
        grads[z * dims.pStride + dims.dbOffset + c] = s;
      }
    }
    // The partials are rewritten by the next model only after lane 0 has read them.
    workgroupBarrier();
  }
  // Every lane has read the cursor by now; kernels after this one in the step read the slot before it (cursor − 1).
  storageBarrier();
  if (tid == 0u) { stepSlots.cursor = cursor + 1u; }
}
