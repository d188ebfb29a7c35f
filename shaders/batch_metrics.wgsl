// Metrics of one batch reduced on the GPU: metrics[slot] = (Σ losses, Σ correct) over the batch's rows, where the
// slot is the current step slot's field, so a whole chunk of steps leaves one entry per step to read back at its end.
// CPU counterpart: the lossSum and correct of softmaxCrossEntropy. One workgroup per batch, tree reduction.

struct Dims {
  batch: u32,
  rowStride: u32,
  models: u32,
}

struct Metric {
  lossSum: f32,
  correct: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)
@group(0) @binding(2) var<storage, read> losses: array<f32>;
@group(0) @binding(3) var<storage, read> correct: array<u32>;
@group(0) @binding(4) var<storage, read_write> metrics: array<Metric>;

const WG = 256u;
var<workgroup> lossPartial: array<f32, WG>;
var<workgroup> correctPartial: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) group: vec3u) {
  // This step's slot: the host resets the cursor at the chunk's start, advance_step.wgsl moves it.
  let step = &stepSlots.steps[stepSlots.cursor];
  // Batched sweeps: one workgroup per model (z); the step's metrics of model z go to slot × models + z.
  let base = group.z * dims.rowStride;
  var l = 0.0;
  var c = 0u;
  for (var r = tid; r < dims.batch; r += WG) {
    l += losses[base + r];
    c += correct[base + r];
  }
  lossPartial[tid] = l;
  correctPartial[tid] = c;
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    workgroupBarrier();
    if (tid < stride) {
      lossPartial[tid] += lossPartial[tid + stride];
      correctPartial[tid] += correctPartial[tid + stride];
    }
  }
  if (tid == 0u) { metrics[step.slot * dims.models + group.z] = Metric(lossPartial[0], correctPartial[0]); }
}
