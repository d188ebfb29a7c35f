// Where each tensor lives in the trainer's flat parameter buffer (and in the gradient and optimizer-state buffers,
// which share the layout): all weights first, then all biases, so that one optimizer dispatch covers each group.
import type { ModelParams } from '../core/params';
import { layerShapes, type ModelSpec } from '../core/spec';

export interface TensorSlot {
  /** In f32 elements. */
  offset: number;
  count: number;
}

export interface ParamLayout {
  layers: { weight: TensorSlot; bias: TensorSlot }[];
  /** The weight group and the bias group (their padding gaps included: padding stays zero under every update). */
  weights: TensorSlot;
  biases: TensorSlot;
  /** Elements of the whole buffer. */
  total: number;
}

/** Tensors start on 4-element boundaries so that vec4 variants of the kernels can read them aligned. */
const ALIGN = 4;
const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

export function paramLayout(spec: ModelSpec): ParamLayout {
  const shapes = layerShapes(spec);
  let n = 0;
  const weights = shapes.map((s) => {
    const slot = { offset: n, count: s.outFeatures * s.inFeatures };
    n = align(n + slot.count);
    return slot;
  });
  const biasStart = n;
  const biases = shapes.map((s) => {
    const slot = { offset: n, count: s.outFeatures };
    n = align(n + slot.count);
    return slot;
  });
  return {
    layers: shapes.map((_, l) => ({ weight: weights[l], bias: biases[l] })),
    weights: { offset: 0, count: biasStart },
    biases: { offset: biasStart, count: n - biasStart },
    total: n,
  };
}

export function flattenParams(layout: ParamLayout, p: ModelParams): Float32Array<ArrayBuffer> {
  const flat = new Float32Array(layout.total);
  layout.layers.forEach((slot, l) => {
    flat.set(p[l].weight, slot.weight.offset);
    flat.set(p[l].bias, slot.bias.offset);
  });
  return flat;
}

export function unflattenParams(layout: ParamLayout, flat: Float32Array): ModelParams {
  return layout.layers.map((slot) => ({
    weight: flat.slice(slot.weight.offset, slot.weight.offset + slot.weight.count),
    bias: flat.slice(slot.bias.offset, slot.bias.offset + slot.bias.count),
  }));
}
