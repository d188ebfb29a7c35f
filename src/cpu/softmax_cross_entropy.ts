// CPU twin of shaders/softmax_cross_entropy.wgsl: mean softmax cross-entropy and its gradient.
import type { FloatArray } from '../core/params';

export interface SoftmaxCrossEntropyResult {
  /** Sum over the batch of −log p(label) (divide by B for the mean loss). */
  lossSum: number;
  /** Samples whose argmax logit (first on ties) equals the label. */
  correct: number;
}

/**
 * logits is (B,C), labels is (B). Writes dLogits = (softmax(logits) − onehot(label)) / B, the gradient of
 * the *mean* loss, and, when given, losses[r] = −log softmax(logits[r])[label[r]].
 * Numerically stable: the row maximum is subtracted before exp, and log-sum-exp gives the loss.
 */
export function softmaxCrossEntropy(
  logits: FloatArray, labels: ArrayLike<number>, dLogits: FloatArray | null,
  batch: number, classes: number, losses?: FloatArray,
): SoftmaxCrossEntropyResult {
  let lossSum = 0;
  let correct = 0;
  for (let r = 0; r < batch; r++) {
    const base = r * classes;
    let max = -Infinity;
    let argmax = 0;
    for (let c = 0; c < classes; c++) {
      const v = logits[base + c];
      if (v > max) {
        max = v;
        argmax = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[base + c] - max);
    const label = labels[r];
    const loss = Math.log(sum) + max - logits[base + label];
    lossSum += loss;
    if (losses) losses[r] = loss;
    if (argmax === label) correct++;
    if (dLogits) {
      const inv = 1 / (sum * batch);
      for (let c = 0; c < classes; c++) {
        dLogits[base + c] = Math.exp(logits[base + c] - max) * inv - (c === label ? 1 / batch : 0);
      }
    }
  }
  return { lossSum, correct };
}
