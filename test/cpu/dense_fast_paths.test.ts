// The optimised dense twins (packed non-zeros, 8-output and 4-row blocking, scratch reuse) against plain
// triple loops, on awkward shapes that hit every remainder path, with inputs as sparse as MNIST and ReLU make them.
import { describe, expect, it } from 'vitest';
import { denseBackwardInput, denseBackwardWeight, denseForward } from '../../src/cpu/dense';
import { Prng } from '../../src/core/prng';
import { expectClose } from '../helpers/expect_close';

/** (batch, in, out): out of 1, 7, 8, 9, 17, 33 covers the 8-wide blocks with and without remainders. */
const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 7, 9], [5, 33, 8], [7, 17, 17], [2, 13, 33], [4, 40, 7]];

/** Values in [−2, 2] with about `zeroFraction` exact zeros; row 0 is all zero and the last row dense. */
function sparseMatrix(rows: number, cols: number, zeroFraction: number, seed: number): Float64Array {
  const rng = new Prng(seed);
  const a = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const dense = r === rows - 1 && rows > 1;
      const zero = r === 0 ? rows > 1 : !dense && rng.nextFloat() < zeroFraction;
      a[r * cols + c] = zero ? 0 : rng.uniform(-2, 2);
    }
  }
  return a;
}

function naiveForward(x: Float64Array, w: Float64Array, b: Float64Array, B: number, I: number, O: number, relu: boolean): Float64Array {
  const y = new Float64Array(B * O);
  for (let r = 0; r < B; r++) {
    for (let o = 0; o < O; o++) {
      let s = b[o];
      for (let i = 0; i < I; i++) s += x[r * I + i] * w[o * I + i];
      y[r * O + o] = relu && s < 0 ? 0 : s;
    }
  }
  return y;
}

function naiveBackwardWeight(dy: Float64Array, x: Float64Array, B: number, I: number, O: number): Float64Array {
  const dw = new Float64Array(O * I);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let r = 0; r < B; r++) dw[o * I + i] += dy[r * O + o] * x[r * I + i];
  return dw;
}

function naiveBackwardInput(dy: Float64Array, w: Float64Array, mask: Float64Array, B: number, I: number, O: number): Float64Array {
  const dx = new Float64Array(B * I);
  for (let r = 0; r < B; r++) {
    for (let i = 0; i < I; i++) {
      let s = 0;
      for (let o = 0; o < O; o++) s += dy[r * O + o] * w[o * I + i];
      dx[r * I + i] = mask[r * I + i] > 0 ? s : 0;
    }
  }
  return dx;
}

describe.each(SHAPES)('dense twins at batch %i, in %i, out %i', (B, I, O) => {
  const seed = B * 1000 + I * 10 + O;
  const x = sparseMatrix(B, I, 0.8, seed);
  const w = sparseMatrix(O, I, 0, seed + 1);
  const b = sparseMatrix(1, O, 0, seed + 2);
  const dy = sparseMatrix(B, O, 0.5, seed + 3);
  const mask = sparseMatrix(B, I, 0.5, seed + 4).map(Math.abs);
  // Float64: sums of at most 40 terms of size ≤ 4 differ from another order by ≤ 40·2⁻⁵³·160 ≈ 7e-13.
  const f64 = { atol: 1e-12, rtol: 1e-12 };

  it('denseForward (float64, with and without ReLU) matches the plain loop', () => {
    for (const relu of [false, true]) {
      const y = new Float64Array(B * O).fill(NaN);
      denseForward(x, w, b, y, B, I, O, relu);
      expectClose(y, naiveForward(x, w, b, B, I, O, relu), f64, `forward relu=${relu}`);
    }
  });

  it('denseForward (float32) is the float64 result rounded once', () => {
    const y = new Float32Array(B * O);
    denseForward(Float32Array.from(x), Float32Array.from(w), Float32Array.from(b), y, B, I, O, true);
    // Inputs are exactly representable in f32 only up to rounding of 2⁻²⁴ relative; sums of ≤ 40 products of
    // size ≤ 4 then carry ≤ 40·4·2·2⁻²⁴ ≈ 2e-5 absolute, plus the final rounding of 2⁻²⁴·|y|.
    expectClose(y, naiveForward(x, w, b, B, I, O, true), { atol: 3e-5, rtol: 2 ** -23 }, 'forward f32');
  });

  it('denseBackwardWeight (float64) equals the plain loop bit for bit (same order, zeros skipped)', () => {
    const dw = new Float64Array(O * I).fill(NaN);
    denseBackwardWeight(dy, x, dw, B, I, O);
    expect(Array.from(dw)).toEqual(Array.from(naiveBackwardWeight(dy, x, B, I, O)));
  });

  it('denseBackwardInput (float64) matches the plain loop, masked by ReLU′', () => {
    const dx = new Float64Array(B * I).fill(NaN);
    denseBackwardInput(dy, w, dx, B, I, O, mask);
    expect(Array.from(dx)).toEqual(Array.from(naiveBackwardInput(dy, w, mask, B, I, O)));
    const unmasked = new Float64Array(B * I);
    denseBackwardInput(dy, w, unmasked, B, I, O);
    expectClose(unmasked, naiveBackwardInput(dy, w, new Float64Array(B * I).fill(1), B, I, O), f64, 'backward input, no mask');
  });
});

describe('dense twins keep non-finite values visible', () => {
  it('a NaN input reaches every output of its row, and only its row', () => {
    const B = 2, I = 9, O = 10;
    const x = sparseMatrix(B, I, 0.5, 5);
    x[1 * I + 3] = NaN;
    const y = new Float64Array(B * O);
    denseForward(x, sparseMatrix(O, I, 0, 6), new Float64Array(O), y, B, I, O, false);
    expect(Array.from(y.subarray(O)).every(Number.isNaN)).toBe(true);
    expect(Array.from(y.subarray(0, O)).some(Number.isNaN)).toBe(false);
  });

  it('scratch grown by a wide layer still serves a narrow one correctly afterwards', () => {
    const wide = sparseMatrix(2, 3000, 0.5, 8);
    denseForward(wide, sparseMatrix(3, 3000, 0, 9), new Float64Array(3), new Float64Array(6), 2, 3000, 3, false);
    const x = sparseMatrix(3, 5, 0.5, 10);
    const w = sparseMatrix(4, 5, 0, 11);
    const y = new Float64Array(12);
    denseForward(x, w, new Float64Array(4), y, 3, 5, 4, false);
    expectClose(y, naiveForward(x, w, new Float64Array(4), 3, 5, 4, false), { atol: 1e-12, rtol: 1e-12 }, 'after growth');
  });
});
