// Parameters of an MLP as flat typed arrays, one weight and one bias per dense layer.
import { layerShapes, type ModelSpec } from './spec';

export type FloatArray = Float32Array | Float64Array;

export interface LayerParams<A extends FloatArray = Float32Array> {
  /** (outFeatures, inFeatures) row-major, as PyTorch's nn.Linear.weight. */
  weight: A;
  /** (outFeatures). */
  bias: A;
}

export type ModelParams<A extends FloatArray = Float32Array> = LayerParams<A>[];

export function zeroParams(spec: ModelSpec): ModelParams<Float32Array>;
export function zeroParams<A extends FloatArray>(spec: ModelSpec, make: (n: number) => A): ModelParams<A>;
export function zeroParams(spec: ModelSpec, make: (n: number) => FloatArray = (n) => new Float32Array(n)): ModelParams<FloatArray> {
  return layerShapes(spec).map((s) => ({ weight: make(s.outFeatures * s.inFeatures), bias: make(s.outFeatures) }));
}

export function cloneParams<A extends FloatArray>(p: ModelParams<A>): ModelParams<A> {
  return p.map((l) => ({ weight: l.weight.slice() as A, bias: l.bias.slice() as A }));
}

export function toFloat64(p: ModelParams<FloatArray>): ModelParams<Float64Array> {
  return p.map((l) => ({ weight: Float64Array.from(l.weight), bias: Float64Array.from(l.bias) }));
}

export function toFloat32(p: ModelParams<FloatArray>): ModelParams<Float32Array> {
  return p.map((l) => ({ weight: Float32Array.from(l.weight), bias: Float32Array.from(l.bias) }));
}

/** Throws unless p has exactly the tensor sizes of spec. */
export function assertParamsMatch(spec: ModelSpec, p: ModelParams<FloatArray>): void {
  const shapes = layerShapes(spec);
  if (p.length !== shapes.length) throw new RangeError(`expected ${shapes.length} layers, got ${p.length}`);
  shapes.forEach((s, l) => {
    if (p[l].weight.length !== s.outFeatures * s.inFeatures) {
      throw new RangeError(`layer ${l} weight: expected ${s.outFeatures}×${s.inFeatures}, got ${p[l].weight.length} values`);
    }
    if (p[l].bias.length !== s.outFeatures) throw new RangeError(`layer ${l} bias: expected ${s.outFeatures}, got ${p[l].bias.length} values`);
  });
}
