// ReLU backward: dx = dy ⊙ 1[y > 0], where y = relu(x) is the forward output (twin: reluBackward in src/cpu/dense.ts).
// All arrays are (n). The trainer fuses this mask into dense_backward_input; this kernel serves layers that need it apart.

struct Dims {
  n: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // 2-D dispatch so that n may exceed 65535 workgroups × WG.
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= dims.n) { return; }
  dx[i] = select(0.0, dy[i], y[i] > 0.0);
}
