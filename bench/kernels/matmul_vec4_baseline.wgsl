// The bench's in-run baseline: C = A·B, each invocation computes a 4×4 block of C from vec4 loads,
// register-blocked with no workgroup memory (the best simple kernel measured on lavapipe, ENVIRONMENT.md).
// A is (M, K), B is (K, N), C is (M, N), all row-major f32. The host asserts M, K and N are multiples of 4.

struct Dims {
  M: u32,
  K: u32,
  N: u32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;        // (M, K/4)
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;        // (K, N/4)
@group(0) @binding(3) var<storage, read_write> c: array<vec4<f32>>;  // (M, N/4)

override WG_COLS: u32 = 8u;
override WG_ROWS: u32 = 8u;

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n4 = dims.N / 4u;
  let k4 = dims.K / 4u;
  let col4 = gid.x;
  let row = gid.y * 4u;
  if (col4 >= n4 || row >= dims.M) {
    return;
  }
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0u; k < k4; k = k + 1u) {
    let a0 = a[(row + 0u) * k4 + k];
    let a1 = a[(row + 1u) * k4 + k];
    let a2 = a[(row + 2u) * k4 + k];
    let a3 = a[(row + 3u) * k4 + k];
    let b0 = b[(4u * k + 0u) * n4 + col4];
    let b1 = b[(4u * k + 1u) * n4 + col4];
    let b2 = b[(4u * k + 2u) * n4 + col4];
    let b3 = b[(4u * k + 3u) * n4 + col4];
    acc0 = acc0 + a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
    acc1 = acc1 + a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
    acc2 = acc2 + a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
    acc3 = acc3 + a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
  }
  c[(row + 0u) * n4 + col4] = acc0;
  c[(row + 1u) * n4 + col4] = acc1;
  c[(row + 2u) * n4 + col4] = acc2;
  c[(row + 3u) * n4 + col4] = acc3;
}
