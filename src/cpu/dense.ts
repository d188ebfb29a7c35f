// CPU twins of the dense-layer kernels (shaders/dense_*.wgsl, bias_backward.wgsl, relu_backward.wgsl).
// Plain loops over typed arrays: Float64Array for gradient checks, Float32Array for the CPU engine.
// Every function overwrites its output (no accumulation).
import type { FloatArray } from '../core/params';

/** y = x·wᵀ + b, then ReLU if asked. x is (B,in), w is (out,in), b is (out), y is (B,out). */
export function denseForward(
  x: FloatArray, w: FloatArray, b: FloatArray, y: FloatArray,
  batch: number, inFeatures: number, outFeatures: number, relu: boolean,
): void {
  for (let r = 0; r < batch; r++) {
    const xBase = r * inFeatures;
    for (let o = 0; o < outFeatures; o++) {
      const wBase = o * inFeatures;
      // Four partial sums break the add dependency chain; the order is fixed, so results are deterministic.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let i = 0;
      for (; i + 4 <= inFeatures; i += 4) {
        s0 += x[xBase + i] * w[wBase + i];
        s1 += x[xBase + i + 1] * w[wBase + i + 1];
        s2 += x[xBase + i + 2] * w[wBase + i + 2];
        s3 += x[xBase + i + 3] * w[wBase + i + 3];
      }
      for (; i < inFeatures; i++) s0 += x[xBase + i] * w[wBase + i];
      const v = s0 + s1 + (s2 + s3) + b[o];
      y[r * outFeatures + o] = relu && v < 0 ? 0 : v;
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
  dx.fill(0, 0, batch * inFeatures);
  for (let r = 0; r < batch; r++) {
    const dxBase = r * inFeatures;
    for (let o = 0; o < outFeatures; o++) {
      const g = dy[r * outFeatures + o];
      if (g === 0) continue;
      const wBase = o * inFeatures;
      for (let i = 0; i < inFeatures; i++) dx[dxBase + i] += g * w[wBase + i];
    }
    if (reluInput) {
      for (let i = 0; i < inFeatures; i++) if (!(reluInput[dxBase + i] > 0)) dx[dxBase + i] = 0;
    }
  }
}

/** dw = dyᵀ·x. dy is (B,out), x is (B,in), dw is (out,in). */
export function denseBackwardWeight(
  dy: FloatArray, x: FloatArray, dw: FloatArray,
  batch: number, inFeatures: number, outFeatures: number,
): void {
  dw.fill(0, 0, outFeatures * inFeatures);
  for (let o = 0; o < outFeatures; o++) {
    const dwBase = o * inFeatures;
    for (let r = 0; r < batch; r++) {
      const g = dy[r * outFeatures + o];
      // ReLU makes many upstream gradients exactly zero; skipping them is exact.
      if (g === 0) continue;
      const xBase = r * inFeatures;
      for (let i = 0; i < inFeatures; i++) dw[dwBase + i] += g * x[xBase + i];
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
