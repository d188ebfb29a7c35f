// Softmax cross-entropy per sample (twin: softmaxCrossEntropy in src/cpu/softmax_cross_entropy.ts).
// logits is (batch, classes); labels is (batch). Per row r it writes losses[r] = −log softmax(logits[r])[label],
// predictions[r] = argmax (first on ties) and correct[r] = 1 when that equals the label. By dims.mode, out (batch,
// classes) gets dLogits = (softmax − onehot) / batch (0, the gradient of the *mean* loss), the probabilities (1), or
// nothing (2). Numerically stable: the row maximum is subtracted before exp. One invocation per row.

struct Dims {
  batch: u32,
  classes: u32,
  mode: u32,
  logitsStride: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> losses: array<f32>;
@group(0) @binding(5) var<storage, read_write> correct: array<u32>;
@group(0) @binding(6) var<storage, read_write> predictions: array<u32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.x;
  if (row >= dims.batch) { return; }
  // Batched sweeps: model gid.z's logits, gradients and per-row outputs; all models share the labels.
  let base = gid.z * dims.logitsStride + row * dims.classes;
  let r = gid.z * dims.rowStride + row;
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
  let label = min(labels[row], dims.classes - 1u);
  losses[r] = log(sum) + rowMax - logits[base + label];
  predictions[r] = argmax;
  correct[r] = select(0u, 1u, argmax == label);
  if (dims.mode == 2u) { return; }
  let toGradient = dims.mode == 0u;
  let inv = select(1.0 / sum, 1.0 / (sum * f32(dims.batch)), toGradient);
  let hit = select(0.0, 1.0 / f32(dims.batch), toGradient);
  for (var c = 0u; c < dims.classes; c++) {
    out[base + c] = exp(logits[base + c] - rowMax) * inv - select(0.0, hit, c == label);
  }
}
