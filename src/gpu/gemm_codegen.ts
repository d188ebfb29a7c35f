// WGSL for register-blocked GEMM kernels of any block size, generated because the block is what the autotuner varies
// (kernel_variants.ts) and hand-writing an unrolled kernel per block would be dozens of near-identical files.
//
// Why these shapes (measured on lavapipe, ENVIRONMENT.md): a CPU driver runs a workgroup's invocations as SIMD lanes,
// and every storage load whose address differs per lane is emitted as a scalar loop over the lanes; its cost hardly
// depends on the width loaded (up to a vec4) but is ~100× a lane-wide multiply-add. So each invocation loads vec4s
// only and reuses every loaded vec4 across as many accumulators as possible: a block of M×N outputs costs M + N loads
// per 4·M·N (forward) or 16·M·N (weight gradient, vec4 × vec4 outer products) multiply-adds. Spilled accumulators
// are cheap next to those loads. Out-of-range rows and columns are clamped for loads (duplicates computed, never stored).

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * acc + dot(a, b) as a chain of fma(), because it measured faster on the 32×4 shuffle forward kernel
 * (perf/gemm_variants.ts, 8 interleaved rounds, same run): 1024³ 25.1 → 28.3 GFLOP/s, 64×784×128 19.2 → 21.2. Not
 * because fma() fuses: llvmpipe (Mesa 25.0) emits a multiply and an add for it too (docs/bench.md). The weight-gradient
 * kernels' vec4 multiply-adds measured the same either way (29.6 vs 29.7 at 1024³), so they keep `+=`.
 */
const fmaDot = (a: string, b: string, acc: string): string =>
  `fma(${a}.w, ${b}.w, fma(${a}.z, ${b}.z, fma(${a}.y, ${b}.y, fma(${a}.x, ${b}.x, ${acc}))))`;

/** dense_forward's dims and bindings (the kernel table's FORWARD_DIMS order), shared by the generated forward kernels. */
const FORWARD_BINDINGS = `struct Dims { batch: u32, inFeatures: u32, outFeatures: u32, relu: u32, wOffset: u32, bOffset: u32, xStride: u32, pStride: u32, yStride: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read> params: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;`;

/**
 * dense_backward_weight's dims and bindings (BACKWARD_WEIGHT_DIMS order), shared by the generated weight kernels;
 * dbOffset and biasGradient are read only by the kernels that fuse the bias gradient (KernelDef.biasGradient).
 */
const WEIGHT_BINDINGS = `struct Dims { batch: u32, inFeatures: u32, outFeatures: u32, dwOffset: u32, dyStride: u32, xStride: u32, pStride: u32, dbOffset: u32, biasGradient: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> dy: array<vec4f>;
@group(0) @binding(2) var<storage, read> x: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> grads: array<vec4f>;`;

/**
 * The input a layer-0 kernel reads: 'f32' is the gathered batch (acts[0]); 'u8' is the batch's rows read straight from
 * a uint8 dataset as it is stored, 4 uint8 features per u32 word (one word where the f32 kernel reads one vec4), at
 * the sample indices of the step's batch (binding 5: the step slots, whose indexOffset locates the batch in binding 6,
 * the chunk's indices), normalised in the kernel by the dataset's per-feature scale and shift (binding 4: inFeatures/4
 * vec4s of scale, then as many of shift), as one fma per feature: the CPU twin's value x·scale + shift rounded once.
 * Why: on lavapipe a storage load is a loop over the lanes with a bounds check per component, so a word of 4 features
 * costs less than a vec4 of them, and a dispatch costs ~35 µs whatever it does, so no gather runs before layer 0.
 * Each dispatch timed alone (test/gpu/perf/step_profile.ts, two interleaved runs each): forward 64×784×128 332–374 →
 * 258–281 µs; the weight gradient 326–356 → 384–409 µs (it unpacks a word per row and lane, which costs more than the
 * loads save); whole steps 1650–1658 → 1466–1544 µs with a gather of the bytes (97 → 54 µs), which is now gone too.
 * The forward kernel runs before the batch's loss and reads the step slot at the cursor; the weight gradient after
 * it, the slot before the cursor (kernels.ts BindingKind).
 * The u8 kernels read only the words the batch has nonzero: the slot's activeOffset locates, in binding 6, a count
 * and then a permutation of the row's words, the first `count` of which are all the words that are nonzero in some
 * row of the batch or have a feature with a nonzero shift (src/gpu/active_words.ts builds it on the host). Every
 * other word normalises to zero in every row, so the products over them are zero and neither the forward sum nor the
 * weight gradient needs them (their weights still take the SGD step, with a zero gradient). Why: MNIST's digits leave
 * 26% of the 196 words zero in a batch of 64, and on lavapipe a GEMM's cost is its loop over k (the loads it makes).
 * The forward kernel reads the list of its workgroup's rows instead, which follows the batch's (a word zero in those
 * rows adds nothing to their sums; active_words.ts batchListsLength): the host writes one per group of the kernel's
 * rows.
 */
export type GemmInput = 'f32' | 'u8';

const U8_INPUT_BINDINGS = `@group(0) @binding(4) var<storage, read> normalisation: array<vec4f>;
@group(0) @binding(5) var<storage, read> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)
@group(0) @binding(6) var<storage, read> indices: array<u32>;

fn bytes(word: u32) -> vec4f {
  return vec4f(vec4u(word, word >> 8u, word >> 16u, word >> 24u) & vec4u(0xffu));
}`;

/** `bindings` with x read as a uint8 dataset's packed words (and the normalisation, step and index bindings) when input is 'u8'. */
function withInput(bindings: string, input: GemmInput): string {
  if (input === 'f32') return bindings;
  return `${bindings.replace('var<storage, read> x: array<vec4f>;', 'var<storage, read> x: array<u32>;')}\n${U8_INPUT_BINDINGS}`;
}

/**
 * What a weight-gradient kernel does with each vec4 of gradient it finishes: 'store' it in grads, or 'sgd': apply the
 * decayed SGD step to the parameters it belongs to (sgdUpdate, shaders/sgd_update.wgsl, which kernels.ts appends), so
 * that no optimizer dispatch runs after it (SGD_DIMS in kernels.ts says when and why). Then binding 3 is the params, and
 * the kernel also binds the step slots (binding 4 with f32 input; the u8 kernels bind them already) and the momentum
 * (the last binding), and its dims end with the momentum, dampening and Nesterov flag.
 */
export type GradientUse = 'store' | 'sgd';

/** WEIGHT_BINDINGS (with `input`'s) for `use`. */
function weightBindings(input: GemmInput, use: GradientUse): string {
  const bindings = withInput(WEIGHT_BINDINGS, input);
  if (use === 'store') return bindings;
  const momentumBinding = input === 'u8' ? 7 : 5;
  return `${bindings
    .replace('dbOffset: u32, biasGradient: u32 }', 'dbOffset: u32, biasGradient: u32, momentum: f32, dampening: f32, nesterov: u32 }')
    .replace('var<storage, read_write> grads: array<vec4f>;', 'var<storage, read_write> params: array<vec4f>;')}${input === 'f32'
    ? '\n@group(0) @binding(4) var<storage, read> stepSlots: StepSlots; // shaders/step_uniform.wgsl (prepended)' : ''}
@group(0) @binding(${momentumBinding}) var<storage, read_write> momentumBuf: array<vec4f>;`;
}

/** A vec4 of x: `word` as is (f32 input), or its 4 bytes normalised by `scale` and `shift` (u8 input). */
const inputVec4 = (input: GemmInput, load: string, scale: string, shift: string): string =>
  input === 'f32' ? load : `fma(bytes(${load}), ${scale}, ${shift})`;

/** A forward kernel's model offsets: `z` (the model of a batched sweep) × the dims strides; w in vec4s. */
const forwardModelOffsets = (z: string): string => `  // Batched sweeps: ${z} is the model, its tensors at z × the dims strides.
  let po = ${z} * dims.pStride;
  let xo = ${z} * dims.xStride / 4u;
  let yo = ${z} * dims.yStride;
  let w = (po + dims.wOffset) / 4u;`;

/**
 * dense_forward (twin: denseForward in src/cpu/dense.ts), y = x·wᵀ + b with ReLU fused by a flag, `rows` batch rows ×
 * `cols` output columns per invocation (cols a multiple of 4). Both operands run along inFeatures and are read as vec4s:
 * requires inFeatures % 4 == 0 and wOffset % 4 == 0 (kernel_variants.ts checks).
 */
export function denseForwardBlockSource(rows: number, cols: number): string {
  if (cols % 4 !== 0) throw new RangeError(`forward block columns must be a multiple of 4, got ${cols}`);
  const R = range(rows);
  const C = range(cols);
  const G = range(cols / 4);
  return `// Generated by src/gpu/gemm_codegen.ts: dense_forward, ${rows}×${cols} outputs per invocation, vec4 loads along k.
${FORWARD_BINDINGS}
override WG_COLS: u32 = 8u;
override WG_ROWS: u32 = 8u;

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col0 = gid.x * ${cols}u;
  let row0 = gid.y * ${rows}u;
  if (col0 >= dims.outFeatures || row0 >= dims.batch) { return; }
  let k4 = dims.inFeatures / 4u;
  let lastRow = dims.batch - 1u;
  let lastCol = dims.outFeatures - 1u;
${forwardModelOffsets('gid.z')}
${R.map((i) => `  let xr${i} = xo + min(row0 + ${i}u, lastRow) * k4;`).join('\n')}
${C.map((j) => `  let wc${j} = w + min(col0 + ${j}u, lastCol) * k4;`).join('\n')}
${R.flatMap((i) => C.map((j) => `  var acc${i}_${j} = 0.0;`)).join('\n')}
  for (var k = 0u; k < k4; k++) {
${R.map((i) => `    let a${i} = x[xr${i} + k];`).join('\n')}
${C.map((j) => `    let b${j} = params[wc${j} + k];\n${R.map((i) => `    acc${i}_${j} += dot(a${i}, b${j});`).join('\n')}`).join('\n')}
  }
${R.map((i) => G.map((g) => `  storeRow(po, yo, row0 + ${i}u, col0 + ${4 * g}u, vec4f(${range(4).map((c) => `acc${i}_${4 * g + c}`).join(', ')}));`).join('\n')).join('\n')}
}

fn bias1(po: u32, col: u32) -> f32 {
  let e = po + dims.bOffset + min(col, dims.outFeatures - 1u);
  return params[e / 4u][e % 4u];
}

fn storeRow(po: u32, yo: u32, row: u32, col0: u32, acc: vec4f) {
  if (row >= dims.batch || col0 >= dims.outFeatures) { return; }
  var out = acc + vec4f(bias1(po, col0), bias1(po, col0 + 1u), bias1(po, col0 + 2u), bias1(po, col0 + 3u));
  if (dims.relu != 0u) { out = select(out, vec4f(0.0), out < vec4f(0.0)); }
  let base = yo + row * dims.outFeatures;
  for (var j = 0u; j < 4u; j++) {
    if (col0 + j < dims.outFeatures) { y[base + col0 + j] = out[j]; }
  }
}
`;
}

/**
 * dense_backward_weight (twin: denseBackwardWeight in src/cpu/dense.ts), dw = dyᵀ·x, overwriting dw: per invocation
 * 4·`outGroups` output features × 4·`inGroups` input features, from one vec4 of dy and one of x per group and batch
 * row (outer products). Requires inFeatures % 4 == 0, outFeatures % 4 == 0 and dwOffset % 4 == 0.
 */
export function denseBackwardWeightBlockSource(outGroups: number, inGroups: number): string {
  const O = range(outGroups);
  const I = range(inGroups);
  const acc = (o: number, c: number, i: number) => `acc${o}_${c}_${i}`;
  return `// Generated by src/gpu/gemm_codegen.ts: dense_backward_weight, ${4 * outGroups}×${4 * inGroups} outputs per invocation.
${WEIGHT_BINDINGS}
override WG_COLS: u32 = 8u;
override WG_ROWS: u32 = 8u;

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n4 = dims.inFeatures / 4u;
  let m4 = dims.outFeatures / 4u;
  let in0 = gid.x * ${inGroups}u;
  let out0 = gid.y * ${outGroups}u;
  if (in0 >= n4 || out0 >= m4) { return; }
${I.map((i) => `  let xi${i} = min(in0 + ${i}u, n4 - 1u);`).join('\n')}
${O.map((o) => `  let do${o} = min(out0 + ${o}u, m4 - 1u);`).join('\n')}
${O.flatMap((o) => range(4).flatMap((c) => I.map((i) => `  var ${acc(o, c, i)} = vec4f(0.0);`))).join('\n')}
  // Batched sweeps: gid.z is the model, its tensors at z × the dims strides (all multiples of 4 here).
  let xo = gid.z * dims.xStride / 4u;
  let dyo = gid.z * dims.dyStride / 4u;
  for (var r = 0u; r < dims.batch; r++) {
${I.map((i) => `    let xv${i} = x[xo + r * n4 + xi${i}];`).join('\n')}
${O.map((o) => `    let dv${o} = dy[dyo + r * m4 + do${o}];`).join('\n')}
${O.flatMap((o) => range(4).flatMap((c) => I.map((i) => `    ${acc(o, c, i)} += dv${o}.${'xyzw'[c]} * xv${i};`))).join('\n')}
  }
  let base = (gid.z * dims.pStride + dims.dwOffset) / 4u;
${O.flatMap((o) => I.map((i) => `  if (out0 + ${o}u < m4 && in0 + ${i}u < n4) {
${range(4).map((c) => `    grads[base + (4u * (out0 + ${o}u) + ${c}u) * n4 + in0 + ${i}u] = ${acc(o, c, i)};`).join('\n')}
  }`)).join('\n')}
}
`;
}

/**
 * dense_forward (twin: denseForward in src/cpu/dense.ts) for CPU drivers with subgroups: one workgroup is one subgroup
 * of SG lanes (pipeline constant; the adapter's fixed subgroup size, kernel_variants.ts), computing `rows` batch rows ×
 * SG·`lanesCols` output columns. Why: on lavapipe every storage load whose address is not a compile-time constant is a
 * scalar loop over the lanes (~55 cycles for a vec4), while a subgroupShuffle is a register permute. The rows of x are
 * the same for every lane, so each lane loads a different vec4 of them (SG vec4s = 4·SG inputs per row per load) and
 * shuffles them to the others; only the weights, which differ per lane, are loaded per lane. Measured at 64×784×128:
 * 19–23 GFLOP/s against 8 for the vec4 kernel (out/ micro-benchmarks, see kernel_variants.ts).
 * Requires inFeatures % 4 == 0 and wOffset % 4 == 0, like the other vec4 kernels.
 */
export function denseForwardShuffleSource(rows: number, lanesCols: number, input: GemmInput = 'f32'): string {
  const R = range(rows);
  const C = range(lanesCols);
  // u8 input runs over the step's active words (GemmInput): `word` is the word at list position k + lane.
  const scaleLoads = input === 'f32' ? ''
    : '\n    let word = indices[activeList + 1u + k + lane];\n    let scale = normalisation[word];\n    let shift = normalisation[k4 + word];';
  const wordAt = input === 'f32' ? (k: string) => k : () => 'kw';
  const count = input === 'f32' ? 'k4' : 'count';
  return `// Generated by src/gpu/gemm_codegen.ts: dense_forward with subgroup shuffles, ${rows} rows × SG·${lanesCols} columns per workgroup, ${input} input.
enable subgroups;
${withInput(FORWARD_BINDINGS, input)}
override SG: u32 = 8u;

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  // This lane's columns are col0 + SG·j; the workgroup's rows row0 … row0 + ${rows - 1}. No early return: every lane
  // takes part in the shuffles; out-of-range rows and columns are clamped for loads and skipped for stores.
  let col0 = wid.x * (SG * ${lanesCols}u) + lane;
  let row0 = wid.y * ${rows}u;
  let k4 = dims.inFeatures / 4u;
  let lastRow = dims.batch - 1u;
  let lastCol = dims.outFeatures - 1u;
${forwardModelOffsets('wid.z')}
${input === 'f32' ? R.map((i) => `  let xr${i} = xo + min(row0 + ${i}u, lastRow) * k4;`).join('\n')
    : `  // The batch's rows in the dataset: this step's slot (before its loss: at the cursor) locates its sample indices.
  let batchIndices = stepSlots.steps[stepSlots.cursor].indexOffset;
${R.map((i) => `  let xr${i} = indices[batchIndices + min(row0 + ${i}u, lastRow)] * k4;`).join('\n')}
  // The words this workgroup's rows read: a count, then that many word indices. The slot's lists are the batch's,
  // then one per group of ${rows} rows (active_words.ts batchListsLength): this workgroup's is group wid.y's.
  let activeList = stepSlots.steps[stepSlots.cursor].activeOffset + (1u + wid.y) * (k4 + 1u);
  let count = min(indices[activeList], k4);`}
${C.map((j) => `  let wc${j} = w + min(col0 + SG * ${j}u, lastCol) * k4;`).join('\n')}
${R.flatMap((i) => C.map((j) => `  var acc${i}_${j} = 0.0;`)).join('\n')}
  let whole = ${count} / SG * SG;
  for (var k = 0u; k < whole; k += SG) {${scaleLoads}
${R.map((i) => `    let xs${i} = ${inputVec4(input, `x[xr${i} + ${input === 'f32' ? 'k + lane' : 'word'}]`, 'scale', 'shift')};`).join('\n')}
    for (var t = 0u; t < SG; t++) {${input === 'f32' ? '' : '\n      let kw = subgroupShuffle(word, t);'}
${C.map((j) => `      let b${j} = params[wc${j} + ${wordAt('k + t')}];`).join('\n')}
${R.map((i) => `      let a${i} = subgroupShuffle(xs${i}, t);\n${C.map((j) => `      acc${i}_${j} = ${fmaDot(`a${i}`, `b${j}`, `acc${i}_${j}`)};`).join('\n')}`).join('\n')}
    }
  }
  // The last ${count} mod SG vec4s: every lane loads them itself.
  for (var k = whole; k < ${count}; k++) {${input === 'f32' ? '' : '\n    let kw = indices[activeList + 1u + k];'}
${C.map((j) => `    let b${j} = params[wc${j} + ${wordAt('k')}];`).join('\n')}
${R.map((i) => `    let a${i} = ${inputVec4(input, `x[xr${i} + ${wordAt('k')}]`, `normalisation[${wordAt('k')}]`, `normalisation[k4 + ${wordAt('k')}]`)};\n${C.map((j) => `    acc${i}_${j} = ${fmaDot(`a${i}`, `b${j}`, `acc${i}_${j}`)};`).join('\n')}`).join('\n')}
  }
  // Each of this lane's columns' bias, loaded once rather than once per row.
${C.map((j) => `  let bias${j} = biasOf(po, min(col0 + SG * ${j}u, lastCol));`).join('\n')}
${R.flatMap((i) => C.map((j) => `  storeOutput(yo, row0 + ${i}u, col0 + SG * ${j}u, acc${i}_${j} + bias${j});`)).join('\n')}
}

fn biasOf(po: u32, col: u32) -> f32 {
  let e = po + dims.bOffset + col;
  return params[e / 4u][e % 4u];
}

fn storeOutput(yo: u32, row: u32, col: u32, sum: f32) {
  if (row >= dims.batch || col >= dims.outFeatures) { return; }
  var out = sum;
  if (dims.relu != 0u && out < 0.0) { out = 0.0; }
  y[yo + row * dims.outFeatures + col] = out;
}
`;
}

/**
 * The SGD step of the weights whose gradients a shuffle weight kernel finished (its accumulators acc(o, q, c): output
 * row 4·(out0 + o) + q, this lane's input vec4 c), taken in a loop over them from a private array rather than written
 * out once per accumulator. Why: llvmpipe compiles the long straight block of 64 steps worse than the loop; on uint8
 * input at 64×784×128 (LP_NUM_THREADS=1 MNIST=1 MOMENTUM=0 perf/step_profile.ts, 5 pairs) 703–737 µs against 737–828,
 * and in training (perf/chunk_wall_cpu.ts, 3 pairs each) median chunks 1065–1080 against 1082–1094 µs/step on one
 * thread, 641/651/792 against 669/826/836 on two (CPU per step 1067–1093 against 1090–1102).
 */
function sgdStepLoop(O: number[], Q: number[], C: number[], input: GemmInput, acc: (o: number, q: number, c: number) => string): string {
  const n = O.length * Q.length * C.length;
  return `  var finished: array<vec4f, ${n}>;
${O.flatMap((o) => Q.flatMap((q) => C.map((c) => `  finished[${(o * Q.length + q) * C.length + c}] = ${acc(o, q, c)};`))).join('\n')}
  // This lane's input vec4 of each of its groups, where the weights of output row r lie at base + r·n4.
  let inputAt = array<u32, ${C.length}>(${C.map((c) => (input === 'f32' ? `in0 + SG * ${c}u` : `xi${c}`)).join(', ')});
  for (var k = 0u; k < ${n}u; k++) {
    let c = k % ${C.length}u;
    let row = 4u * out0 + k / ${C.length}u;
    if (row < dims.outFeatures && in0 + SG * c < n4) { sgdUpdate(base + row * n4 + inputAt[c], finished[k], weightTerms); }
  }`;
}

/**
 * dense_backward_weight (twin: denseBackwardWeight in src/cpu/dense.ts), dw = dyᵀ·x overwriting dw, for CPU drivers
 * with subgroups: one workgroup is one subgroup of SG lanes along the input features (each lane `lanesGroups` vec4s of
 * them, SG vec4s apart), computing 4·`outGroups` output features. The dy rows are the same for every lane: per SG
 * batch rows each lane loads one row's `outGroups` vec4s and shuffles them to the others, so only x is loaded per lane
 * (see denseForwardShuffleSource for why that is what matters on a CPU driver). Requires inFeatures % 4 == 0,
 * outFeatures % 4 == 0 and dwOffset % 4 == 0.
 * With dims.biasGradient = 1 it also writes the bias gradient db = column sums of dy (twin: biasBackward) at
 * dbOffset (% 4 == 0), from the first column of workgroups: each lane sums the dy rows it loads for the shuffles, and
 * one subgroupAdd at the end totals them, which costs far less than the ~35 µs a separate dispatch costs on lavapipe
 * (perf/extra_dispatch_cost.ts). Adding every shuffled row instead (8 more vec4 adds per row in the 32×8 kernel)
 * cost about what the dispatch saved. With `use` 'sgd' both gradients update the parameters instead (GradientUse).
 *
 * The loop over a group's SG rows has a constant trip count (rows past the batch shuffle dy = 0) and takes
 * `rowsPerUpdate` rows per accumulator update (SG is a power of two ≥ 4, WebGPU's subgroup sizes, so 2 divides it).
 * Why, measured on lavapipe at 64×784×128 on uint8 input: with `t < min(SG, batch − r0)` the compiled loop paid
 * for its variable count (4 alternating pairs of perf/gemm_variants.ts runs, LP_NUM_THREADS=1: 0.57–0.99 ms against
 * 0.70–1.10; in training, perf/step_profile.ts, two pairs: the dispatch 919/951 → 818/866 µs). And llvmpipe runs a
 * loop body under a lane mask, so each accumulator update is a multiply, an add, a blend and a spill: two rows per
 * update halve the blends and spills (8 interleaved rounds in one process: 0.681 → 0.617 ms; 4 and 8 rows per update
 * 0.701 and 0.746, more live values than registers; in training, 2 threads, 3 pairs: 480–496 → 455–460 µs).
 */
export function denseBackwardWeightShuffleSource(
  outGroups: number, lanesGroups: number, input: GemmInput = 'f32', use: GradientUse = 'store', rowsPerUpdate = 2,
): string {
  const O = range(outGroups);
  const C = range(lanesGroups);
  const Q = range(4);
  const acc = (o: number, q: number, c: number) => `acc${o}_${q}_${c}`;
  const U = rowsPerUpdate;
  const T = range(U);
  const scaleLoads = input === 'f32' ? ''
    : `\n${C.map((c) => `  let scale${c} = normalisation[xi${c}];\n  let shift${c} = normalisation[n4 + xi${c}];`).join('\n')}`;
  // Where each finished vec4 goes: grads[i] = v, or the SGD step of params[i] with gradient v (GradientUse).
  const finish = (i: string, v: string, terms: string): string =>
    use === 'store' ? `grads[${i}] = ${v};` : `sgdUpdate(${i}, ${v}, ${terms});`;
  const updateTerms = use === 'store' ? '' : `
  // The step's learning rate and decay terms: its slot is the one before the cursor (this kernel runs after the loss).
  let weightTerms = sgdTerms(stepSlots.cursor - 1u, wid.z, false, dims.momentum, dims.dampening, dims.nesterov);
  let biasTerms = sgdTerms(stepSlots.cursor - 1u, wid.z, true, dims.momentum, dims.dampening, dims.nesterov);`;
  return `// Generated by src/gpu/gemm_codegen.ts: dense_backward_weight with subgroup shuffles, ${4 * outGroups} outputs × SG·${4 * lanesGroups} inputs per workgroup, ${input} input${use === 'sgd' ? ', SGD step applied' : ''}.
enable subgroups;
${weightBindings(input, use)}
override SG: u32 = 8u;

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let n4 = dims.inFeatures / 4u;
  let m4 = dims.outFeatures / 4u;
  let in0 = wid.x * (SG * ${lanesGroups}u) + lane;
  let out0 = wid.y * ${outGroups}u;
  let lastRow = dims.batch - 1u;
  // Batched sweeps: workgroup_id.z is the model, its tensors at z × the dims strides (all multiples of 4 here).
  let xo = wid.z * dims.xStride / 4u;
  let dyo = wid.z * dims.dyStride / 4u;
${input === 'f32' ? C.map((c) => `  let xi${c} = min(in0 + SG * ${c}u, n4 - 1u);`).join('\n') : `  // This step's slot (after its loss: before the cursor) locates the batch's sample indices and its active-word list
  // (GemmInput): this lane's inputs are the words at list positions in0 + SG·c, and a workgroup whose first
  // position is past the list's count reads only zeros, so it skips the batch (but for the bias gradient's column).
  let batchIndices = stepSlots.steps[stepSlots.cursor - 1u].indexOffset;
  let activeList = stepSlots.steps[stepSlots.cursor - 1u].activeOffset;
  let count = min(indices[activeList], n4);
  let batchEnd = select(0u, dims.batch, wid.x == 0u || wid.x * (SG * ${lanesGroups}u) < count);
${C.map((c) => `  let xi${c} = indices[activeList + 1u + min(in0 + SG * ${c}u, n4 - 1u)];`).join('\n')}`}${scaleLoads}
${O.map((o) => `  let do${o} = min(out0 + ${o}u, m4 - 1u);`).join('\n')}
${O.flatMap((o) => Q.flatMap((q) => C.map((c) => `  var ${acc(o, q, c)} = vec4f(0.0);`))).join('\n')}
${O.map((o) => `  var bias${o} = vec4f(0.0);`).join('\n')}
  // No early return: every lane takes part in the shuffles; clamped loads, skipped stores.
  for (var r0 = 0u; r0 < ${input === 'f32' ? 'dims.batch' : 'batchEnd'}; r0 += SG) {
    // A lane past the batch (in a last group of fewer than SG rows) shuffles dy = 0, so its row adds nothing and the
    // loop below always covers SG rows (rowsPerUpdate says why).
    let mineValid = r0 + lane < dims.batch;
    let mine = dyo + min(r0 + lane, lastRow) * m4;
${O.map((o) => `    let dys${o} = select(vec4f(0.0), dy[mine + do${o}], mineValid);`).join('\n')}${input === 'f32' ? '' : `
    let mineX = indices[batchIndices + min(r0 + lane, lastRow)] * n4;`}
    // The bias gradient's partial sums: each lane its own rows.
${O.map((o) => `    bias${o} += dys${o};`).join('\n')}
    for (var t0 = 0u; t0 < SG; t0 += ${U}u) {
${T.map((u) => `${input === 'f32' ? `      let row${u} = min(r0 + t0 + ${u}u, lastRow);` : `      let xr${u} = subgroupShuffle(mineX, t0 + ${u}u);`}
${C.map((c) => `      let xv${u}_${c} = ${inputVec4(input, input === 'f32' ? `x[xo + row${u} * n4 + xi${c}]` : `x[xr${u} + xi${c}]`, `scale${c}`, `shift${c}`)};`).join('\n')}
${O.map((o) => `      let dv${u}_${o} = subgroupShuffle(dys${o}, t0 + ${u}u);`).join('\n')}`).join('\n')}
${O.flatMap((o) => Q.flatMap((q) => C.map((c) => `      ${acc(o, q, c)} += ${T.map((u) => `dv${u}_${o}.${'xyzw'[q]} * xv${u}_${c}`).join(' + ')};`))).join('\n')}
    }
  }
${O.map((o) => `  let biasSum${o} = subgroupAdd(bias${o});`).join('\n')}${updateTerms}
  if (dims.biasGradient != 0u && wid.x == 0u && lane == 0u) {
    let db = (wid.z * dims.pStride + dims.dbOffset) / 4u;
${O.map((o) => `    if (out0 + ${o}u < m4) { ${finish(`db + out0 + ${o}u`, `biasSum${o}`, 'biasTerms')} }`).join('\n')}
  }
  let base = (wid.z * dims.pStride + dims.dwOffset) / 4u;
${use === 'sgd' ? sgdStepLoop(O, Q, C, input, acc) : O.flatMap((o) => C.map((c) => `  if (out0 + ${o}u < m4 && in0 + SG * ${c}u < n4) {
${Q.map((q) => `    ${finish(`base + (4u * (out0 + ${o}u) + ${q}u) * n4 + ${input === 'f32' ? `in0 + SG * ${c}u` : `xi${c}`}`, acc(o, q, c), 'weightTerms')}`).join('\n')}
  }`)).join('\n')}
}
`;
}
