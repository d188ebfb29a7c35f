// dense_forward with workgroup-memory tiles, for real GPUs (twin: denseForward in src/cpu/dense.ts):
// y = x·wᵀ + b, ReLU fused by a flag. Both operands run along inFeatures, so without tiles neighbouring invocations
// would read w at a stride of inFeatures (uncoalesced); here the workgroup first copies a (rows × TILE_K) slab of x and
// a (cols × TILE_K) slab of w into workgroup memory, reading along k, then each invocation computes a 4×4 block from
// it. On CPU drivers the barriers cost more than they save (ENVIRONMENT.md): kernel_variants.ts picks this kernel for
// hardware adapters only. Any shape: out-of-range elements load as 0 and are never stored.
// x is (batch, inFeatures); w is (outFeatures, inFeatures) at params[wOffset]; b at params[bOffset]; y is (batch, outFeatures).

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

override WG_COLS: u32 = 16u;
override WG_ROWS: u32 = 16u;
const TILE_K = 16u;
// Tile rows/cols: 4 outputs per invocation in each direction.
const MAX_TILE = 64u;

// Sized for the largest tile (16×16 invocations × 4); smaller workgroups use a prefix.
var<workgroup> xTile: array<f32, MAX_TILE * TILE_K>; // [row][k]
var<workgroup> wTile: array<f32, MAX_TILE * TILE_K>; // [col][k]

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) flat: u32) {
  let tileRows = WG_ROWS * 4u;
  let tileCols = WG_COLS * 4u;
  let threads = WG_COLS * WG_ROWS;
  let rowBase = group.y * tileRows;
  let colBase = group.x * tileCols;
  let k = dims.inFeatures;
  let xo = group.z * dims.xStride;
  let po = group.z * dims.pStride;
  let yo = group.z * dims.yStride;
  var acc: array<vec4f, 4>;
  for (var k0 = 0u; k0 < k; k0 += TILE_K) {
    // Cooperative loads; consecutive invocations take consecutive k, so global reads run along rows.
    for (var e = flat; e < tileRows * TILE_K; e += threads) {
      let r = rowBase + e / TILE_K;
      let kk = k0 + e % TILE_K;
      xTile[e] = select(0.0, x[xo + min(r, dims.batch - 1u) * k + min(kk, k - 1u)], r < dims.batch && kk < k);
    }
    for (var e = flat; e < tileCols * TILE_K; e += threads) {
      let c = colBase + e / TILE_K;
      let kk = k0 + e % TILE_K;
      let wi = po + dims.wOffset + min(c, dims.outFeatures - 1u) * k + min(kk, k - 1u);
      wTile[e] = select(0.0, params[wi], c < dims.outFeatures && kk < k);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let wv = vec4f(wTile[(lid.x * 4u) * TILE_K + kk], wTile[(lid.x * 4u + 1u) * TILE_K + kk],
                     wTile[(lid.x * 4u + 2u) * TILE_K + kk], wTile[(lid.x * 4u + 3u) * TILE_K + kk]);
      for (var i = 0u; i < 4u; i++) {
        acc[i] += xTile[(lid.y * 4u + i) * TILE_K + kk] * wv;
      }
    }
    workgroupBarrier();
  }
  let col0 = colBase + lid.x * 4u;
  for (var i = 0u; i < 4u; i++) {
    let row = rowBase + lid.y * 4u + i;
    if (row >= dims.batch) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col < dims.outFeatures) {
        var v = acc[i][j] + params[po + dims.bOffset + col];
        if (dims.relu != 0u && v < 0.0) { v = 0.0; }
        y[yo + row * dims.outFeatures + col] = v;
      }
    }
  }
}
