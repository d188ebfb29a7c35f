// Optimizer and weight-decay configuration; the three decay modes of DESIGN.md are named apart.

export type OptimizerKind = 'sgd' | 'adam' | 'adamw';

/**
 * - `l2`: λ‖θ‖² added to the loss (the founding paper); gradient gets 2λθ.
 * - `coupled`: PyTorch `weight_decay=wd`; gradient gets wd·θ (same as l2 with wd = 2λ).
 * - `decoupled`: SGDW / AdamW; θ ← θ − η·wd·θ before the optimizer step on ∇L.
 */
export type DecayMode = 'l2' | 'coupled' | 'decoupled';

export interface DecayConfig {
  mode: DecayMode;
  /** λ for `l2`, wd for `coupled` and `decoupled`. */
  coefficient: number;
  /** Decay biases too (PyTorch decays every parameter it is given; many recipes exclude biases). */
  decayBiases: boolean;
}

export interface OptimizerConfig {
  kind: OptimizerKind;
  lr: number;
  /** SGD only. */
  momentum: number;
  dampening: number;
  nesterov: boolean;
  /** Adam/AdamW only. */
  beta1: number;
  beta2: number;
  eps: number;
}

export function defaultOptimizer(kind: OptimizerKind, overrides: Partial<OptimizerConfig> = {}): OptimizerConfig {
  const base: OptimizerConfig = {
    kind,
    lr: kind === 'sgd' ? 0.01 : 1e-3,
    momentum: 0,
    dampening: 0,
    nesterov: false,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
  };
  return { ...base, ...overrides };
}

/** AdamW means decoupled decay unless the user says otherwise; SGD and Adam default to PyTorch's coupled decay. */
export function defaultDecayMode(kind: OptimizerKind): DecayMode {
  return kind === 'adamw' ? 'decoupled' : 'coupled';
}

export function validateOptimizer(o: OptimizerConfig, d: DecayConfig): void {
  const finite = (name: string, v: number): void => {
    if (!Number.isFinite(v)) throw new RangeError(`${name} must be a finite number, got ${v}`);
  };
  finite('lr', o.lr);
  if (o.lr <= 0) throw new RangeError(`lr must be positive, got ${o.lr}`);
  finite('momentum', o.momentum);
  if (o.momentum < 0 || o.momentum >= 1) throw new RangeError(`momentum must be in [0, 1), got ${o.momentum}`);
  finite('dampening', o.dampening);
  if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
    throw new RangeError('nesterov momentum requires a momentum and zero dampening (as in PyTorch)');
  }
  for (const [n, v] of [['beta1', o.beta1], ['beta2', o.beta2]] as const) {
    finite(n, v);
    if (v < 0 || v >= 1) throw new RangeError(`${n} must be in [0, 1), got ${v}`);
  }
  finite('eps', o.eps);
  finite('decay coefficient', d.coefficient);
  if (d.coefficient < 0) throw new RangeError(`decay coefficient must be ≥ 0, got ${d.coefficient}`);
}

/**
 * What a decay config does to one tensor in one step:
 * gradient term g += gradCoefficient·θ, and θ *= paramScale before the optimizer step.
 */
export function decayTerms(d: DecayConfig, lr: number, isBias: boolean): { gradCoefficient: number; paramScale: number } {
  if (isBias && !d.decayBiases) return { gradCoefficient: 0, paramScale: 1 };
  switch (d.mode) {
    case 'l2':
      return { gradCoefficient: 2 * d.coefficient, paramScale: 1 };
    case 'coupled':
      return { gradCoefficient: d.coefficient, paramScale: 1 };
    case 'decoupled':
      return { gradCoefficient: 0, paramScale: 1 - lr * d.coefficient };
  }
}
