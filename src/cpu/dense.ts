// CPU twins of the dense-layer kernels (shaders/dense_*.wgsl, bias_backward.wgsl, relu_backward.wgsl).
// Loops over typed arrays (Float64Array for gradient checks, Float32Array for the CPU engine) that skip exact zeros
// and block outputs so that each loaded input serves several of them: the CPU engine's speed lives here.
// Every function overwrites its output (no accumulation).
import type { FloatArray } from '../core/params';

/**
 * Non-zero entries of one row, packed (index, value) in scratch that grows on demand and is reused, so that a
 * training step allocates nothing. MNIST pixels are ~80% zero and ReLU outputs ~50%: skipping their exactly-zero
 * products changes no sum with finite weights (adding ±0 is exact), and it removes most of the work of the two large
 * GEMMs. NaN and ±Inf inputs are non-zero here, so they still propagate.
 */
let nzIndex = new Int32Array(1024);
let nzValue = new Float64Array(1024);
/** Non-zero upstream gradients of one row: the offset o·in of their dw row, and their value. */
let gradOut = new Int32Array(256);
let gradValue = new Float64Array(256);

function ensureGradScratch(outFeatures: number): void {
  if (gradOut.length < outFeatures) {
    gradOut = new Int32Array(outFeatures);
    gradValue = new Float64Array(outFeatures);
  }
}

/** Packs the non-zero dy[base .. base+out) as (o·rowStride, value) into gradOut/gradValue; returns their count. */
function packGradients(dy: FloatArray, base: number, outFeatures: number, rowStride: number): number {
  let m = 0;
  for (let o = 0; o < outFeatures; o++) {
    const g = dy[base + o];
    if (g !== 0) {
      gradOut[m] = o * rowStride;
      gradValue[m] = g;
      m++;
    }
  }
  return m;
}

function packNonZeros(v: FloatArray, base: number, n: number): number {
  if (nzIndex.length < n) {
    nzIndex = new Int32Array(n);
    nzValue = new Float64Array(n);
  }
  let k = 0;
  for (let i = 0; i < n; i++) {
    const value = v[base + i];
    if (value !== 0) {
      nzIndex[k] = i;
      nzValue[k] = value;
      k++;
    }
  }
  return k;
}

/** y = x·wᵀ + b, then ReLU if asked. x is (B,in), w is (out,in), b is (out), y is (B,out). */
export function denseForward(
  x: FloatArray, w: FloatArray, b: FloatArray, y: FloatArray,
  batch: number, inFeatures: number, outFeatures: number, relu: boolean,
): void {
  for (let r = 0; r < batch; r++) {
    const nnz = packNonZeros(x, r * inFeatures, inFeatures);
    const index = nzIndex;
    const value = nzValue;
    const yBase = r * outFeatures;
    let o = 0;
    // Eight outputs per pass share each loaded (index, value); sums start at the bias and run in float64 (JS numbers).
    for (; o + 8 <= outFeatures; o += 8) {
      const w0 = o * inFeatures, w1 = w0 + inFeatures, w2 = w1 + inFeatures, w3 = w2 + inFeatures;
      const w4 = w3 + inFeatures, w5 = w4 + inFeatures, w6 = w5 + inFeatures, w7 = w6 + inFeatures;
      let s0 = b[o], s1 = b[o + 1], s2 = b[o + 2], s3 = b[o + 3], s4 = b[o + 4], s5 = b[o + 5], s6 = b[o + 6], s7 = b[o + 7];
      for (let k = 0; k < nnz; k++) {
        const i = index[k];
        const v = value[k];
        s0 += v * w[w0 + i];
        s1 += v * w[w1 + i];
        s2 += v * w[w2 + i];
        s3 += v * w[w3 + i];
        s4 += v * w[w4 + i];
        s5 += v * w[w5 + i];
        s6 += v * w[w6 + i];
        s7 += v * w[w7 + i];
      }
      y[yBase + o] = relu && s0 < 0 ? 0 : s0;
      y[yBase + o + 1] = relu && s1 < 0 ? 0 : s1;
      y[yBase + o + 2] = relu && s2 < 0 ? 0 : s2;
      y[yBase + o + 3] = relu && s3 < 0 ? 0 : s3;
      y[yBase + o + 4] = relu && s4 < 0 ? 0 : s4;
      y[yBase + o + 5] = relu && s5 < 0 ? 0 : s5;
      y[yBase + o + 6] = relu && s6 < 0 ? 0 : s6;
      y[yBase + o + 7] = relu && s7 < 0 ? 0 : s7;
    }
    for (; o < outFeatures; o++) {
      const w0 = o * inFeatures;
      let s = b[o];
      for (let k = 0; k < nnz; k++) s += value[k] * w[w0 + index[k]];
      y[yBase + o] = relu && s < 0 ? 0 : s;
    }
  }
}

/**
 * dx = dy·w, masked by ReLU'(input) when `reluInput` is given (the layer's input activation, which is a
 * ReLU output: its derivative is 1 where it is > 0). dy is (B,out), w is (out,in), dx and reluInput are (B,in).
 */
export function denseBackwardInput(
  dy: FloatArray, w: FloatArray, dx: FloatArray,
  batch: number, inFeatures: number, outFeatures: number, reluInput?: FloatArray,
): void {
  ensureGradScratch(outFeatures);
  for (let r = 0; r < batch; r++) {
    const m = packGradients(dy, r * outFeatures, outFeatures, inFeatures);
    const dxBase = r * inFeatures;
    for (let i = 0; i < inFeatures; i++) {
      // Masked entries are not computed at all: ReLU' is 0 there.
      if (reluInput && !(reluInput[dxBase + i] > 0)) {
        dx[dxBase + i] = 0;
        continue;
      }
      // Terms in output order o = 0..out−1, as the plain loop adds them (zero gradients skipped).
      let s = 0;
      for (let j = 0; j < m; j++) s += gradValue[j] * w[gradOut[j] + i];
      dx[dxBase + i] = s;
    }
  }
}

/**
 * dw = dyᵀ·x. dy is (B,out), x is (B,in), dw is (out,in).
 * Each dw[o,i] sums its batch terms in row order r = 0..B−1 exactly as the plain loop does; only the exactly-zero
 * terms (zero pixels, zero upstream gradients behind a ReLU) are skipped, so the result is bit for bit the same.
 */
export function denseBackwardWeight(
  dy: FloatArray, x: FloatArray, dw: FloatArray,
  batch: number, inFeatures: number, outFeatures: number,
): void {
  dw.fill(0, 0, outFeatures * inFeatures);
  ensureGradScratch(outFeatures);
  for (let r = 0; r < batch; r++) {
    const nnz = packNonZeros(x, r * inFeatures, inFeatures);
    if (nnz === 0) continue;
    const index = nzIndex;
    const value = nzValue;
    // The upstream gradients of this row that are non-zero (ReLU zeroes about half of them).
    const m = packGradients(dy, r * outFeatures, outFeatures, inFeatures);
    let j = 0;
    // Four gradient rows per pass share each loaded (index, value).
    for (; j + 4 <= m; j += 4) {
      const d0 = gradOut[j], d1 = gradOut[j + 1], d2 = gradOut[j + 2], d3 = gradOut[j + 3];
      const g0 = gradValue[j], g1 = gradValue[j + 1], g2 = gradValue[j + 2], g3 = gradValue[j + 3];
      for (let k = 0; k < nnz; k++) {
        const i = index[k];
        const v = value[k];
        dw[d0 + i] += g0 * v;
        dw[d1 + i] += g1 * v;
        dw[d2 + i] += g2 * v;
        dw[d3 + i] += g3 * v;
      }
    }
    for (; j < m; j++) {
      const d = gradOut[j];
      const g = gradValue[j];
      for (let k = 0; k < nnz; k++) dw[d + index[k]] += g * value[k];
    }
  }
}

/** db = column sums of dy. dy is (B,out), db is (out). */
export function biasBackward(dy: FloatArray, db: FloatArray, batch: number, outFeatures: number): void {
  db.fill(0, 0, outFeatures);
  for (let r = 0; r < batch; r++) {
    for (let o = 0; o < outFeatures; o++) db[o] += dy[r * outFeatures + o];
  }
}

/** dx = dy ⊙ 1[y > 0], where y = relu(x) is the forward output. All (n). */
export function reluBackward(dy: FloatArray, y: FloatArray, dx: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
}
