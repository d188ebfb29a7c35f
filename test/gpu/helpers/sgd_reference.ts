// What the tests of the kernels that apply the SGD step themselves (sgd_update.wgsl) share: the momentum settings
// they cover, the twin's step on float64 copies, and the comparison of whole parameter buffers.
import { expect } from 'vitest';
import { decayTerms, type DecayConfig, type OptimizerConfig } from '../../../src/core/optimizer';
import { sgdStep } from '../../../src/cpu/optimizer_steps';
import { expectClose, type Tolerance } from '../../helpers/expect_close';

export type Momentum = Pick<OptimizerConfig, 'momentum' | 'dampening' | 'nesterov'>;

/** Without momentum, with momentum and dampening, with Nesterov. */
export const MOMENTUM_SETTINGS: Momentum[] = [
  { momentum: 0, dampening: 0, nesterov: false },
  { momentum: 0.9, dampening: 0.1, nesterov: false },
  { momentum: 0.8, dampening: 0, nesterov: true },
];

/**
 * The twin's step t of p[start, start + grad.length) (and of m's, with momentum) in place, with gradient `grad`, for
 * weights or biases under `decay`; every value the kernel reads as f32 is rounded to f32 first.
 */
export function referenceSgdStep(
  p: Float64Array, m: Float64Array, start: number, grad: Float64Array, decay: DecayConfig, isBias: boolean, lr: number, s: Momentum, t: number,
): void {
  const terms = decayTerms(decay, lr, isBias);
  const n = grad.length;
  sgdStep(p.subarray(start, start + n), grad, s.momentum ? m.subarray(start, start + n) : null, n, {
    lr: Math.fround(lr), momentum: Math.fround(s.momentum), dampening: Math.fround(s.dampening), nesterov: s.nesterov, firstStep: t === 1,
    gradCoefficient: Math.fround(terms.gradCoefficient), paramScale: Math.fround(terms.paramScale),
  });
}

/** `got` against `want` where `inside` (by tolerance), and bit for bit everywhere else; the largest error inside. */
export function expectRegions(got: Float32Array, want: Float64Array, inside: (i: number) => boolean, tol: Tolerance, what: string): number {
  const idx = [...want.keys()].filter(inside);
  const r = expectClose(idx.map((i) => got[i]), idx.map((i) => want[i]), tol, what);
  for (let i = 0; i < got.length; i++) if (!inside(i)) expect(got[i], `${what}[${i}] lies outside the updated tensors`).toBe(want[i]);
  return r.maxAbsError;
}
