// Whole-model forward and backward of the ReLU MLP, composed from the CPU kernel twins.
import { layerShapes, type ModelSpec } from '../core/spec';
import { zeroParams, type FloatArray, type ModelParams } from '../core/params';
import { biasBackward, denseBackwardInput, denseBackwardWeight, denseForward } from './dense';
import { softmaxCrossEntropy, type SoftmaxCrossEntropyResult } from './softmax_cross_entropy';

/** Buffers for one batch size: forward keeps every activation because backward needs them (llm.c style). */
export interface MlpWorkspace<A extends FloatArray> {
  batch: number;
  /** acts[0] is the input (B, inputSize); acts[l + 1] is layer l's output (after ReLU where it has one). */
  acts: A[];
  /** dActs[l] has the shape of acts[l]; dActs[0] is never written (no input gradient is needed). */
  dActs: A[];
  grads: ModelParams<A>;
}

export function createWorkspace<A extends FloatArray>(spec: ModelSpec, batch: number, make: (n: number) => A): MlpWorkspace<A> {
  const sizes = [spec.inputSize, ...spec.hidden, spec.classes];
  return {
    batch,
    acts: sizes.map((s) => make(batch * s)),
    dActs: sizes.map((s, i) => make(i === 0 ? 0 : batch * s)),
    grads: zeroParams(spec, make),
  };
}

/** Fills ws.acts[1..] from ws.acts[0] for the first `batch` rows; returns the logits (B, classes). */
export function mlpForward<A extends FloatArray>(spec: ModelSpec, params: ModelParams<FloatArray>, ws: MlpWorkspace<A>, batch: number): A {
  layerShapes(spec).forEach((s, l) => {
    denseForward(ws.acts[l], params[l].weight, params[l].bias, ws.acts[l + 1], batch, s.inFeatures, s.outFeatures, s.relu);
  });
  return ws.acts[ws.acts.length - 1];
}

/**
 * Loss of the mean softmax cross-entropy and its gradient for every parameter into ws.grads.
 * Requires mlpForward on the same batch first.
 */
export function mlpBackward<A extends FloatArray>(
  spec: ModelSpec, params: ModelParams<FloatArray>, ws: MlpWorkspace<A>, labels: ArrayLike<number>, batch: number,
): SoftmaxCrossEntropyResult {
  const shapes = layerShapes(spec);
  const last = shapes.length;
  const result = softmaxCrossEntropy(ws.acts[last], labels, ws.dActs[last], batch, spec.classes);
  for (let l = last - 1; l >= 0; l--) {
    const s = shapes[l];
    const dy = ws.dActs[l + 1];
    denseBackwardWeight(dy, ws.acts[l], ws.grads[l].weight, batch, s.inFeatures, s.outFeatures);
    biasBackward(dy, ws.grads[l].bias, batch, s.outFeatures);
    // The layer's input acts[l] is the previous layer's ReLU output, so its positivity is ReLU's derivative.
    if (l > 0) denseBackwardInput(dy, params[l].weight, ws.dActs[l], batch, s.inFeatures, s.outFeatures, ws.acts[l]);
  }
  return result;
}

/** Mean loss and gradients in one call (float64): the reference for finite-difference checks. */
export function lossAndGradients(
  spec: ModelSpec, params: ModelParams<Float64Array>, x: Float64Array, labels: ArrayLike<number>, batch: number,
): { loss: number; grads: ModelParams<Float64Array> } {
  const ws = createWorkspace(spec, batch, (n) => new Float64Array(n));
  ws.acts[0].set(x.subarray(0, batch * spec.inputSize));
  mlpForward(spec, params, ws, batch);
  const { lossSum } = mlpBackward(spec, params, ws, labels, batch);
  return { loss: lossSum / batch, grads: ws.grads };
}

/** Mean loss only (float64). */
export function meanLoss(spec: ModelSpec, params: ModelParams<Float64Array>, x: Float64Array, labels: ArrayLike<number>, batch: number): number {
  const ws = createWorkspace(spec, batch, (n) => new Float64Array(n));
  ws.acts[0].set(x.subarray(0, batch * spec.inputSize));
  const logits = mlpForward(spec, params, ws, batch);
  return softmaxCrossEntropy(logits, labels, null, batch, spec.classes).lossSum / batch;
}
