// Model spec of a ReLU MLP and the shapes of its parameters (PyTorch nn.Linear layout).

/** An MLP: inputSize → hidden[0] → … → hidden[n-1] → classes, ReLU between dense layers. */
export interface ModelSpec {
  inputSize: number;
  hidden: number[];
  classes: number;
}

/** One dense layer: weight is (outFeatures, inFeatures) row-major as in PyTorch, bias is (outFeatures). */
export interface LayerShape {
  inFeatures: number;
  outFeatures: number;
  /** ReLU follows this layer (every layer but the last). */
  relu: boolean;
}

export function layerShapes(spec: ModelSpec): LayerShape[] {
  const sizes = [spec.inputSize, ...spec.hidden, spec.classes];
  const layers: LayerShape[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    layers.push({ inFeatures: sizes[l], outFeatures: sizes[l + 1], relu: l + 2 < sizes.length });
  }
  return layers;
}

export function parameterCount(spec: ModelSpec): number {
  return layerShapes(spec).reduce((n, s) => n + s.outFeatures * (s.inFeatures + 1), 0);
}

export function validateSpec(spec: ModelSpec): void {
  const sizes = [spec.inputSize, ...spec.hidden, spec.classes];
  for (const s of sizes) {
    if (!Number.isInteger(s) || s < 1) throw new RangeError(`layer sizes must be positive integers, got [${sizes.join(', ')}]`);
  }
  if (spec.classes < 2) throw new RangeError(`classes must be at least 2, got ${spec.classes}`);
}

/** PyTorch nn.Sequential names: Linear layers sit at even indices because ReLU modules sit between them. */
export function torchTensorNames(spec: ModelSpec): { weight: string; bias: string }[] {
  return layerShapes(spec).map((_, l) => ({ weight: `${2 * l}.weight`, bias: `${2 * l}.bias` }));
}
