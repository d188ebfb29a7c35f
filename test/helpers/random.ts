// Seeded test inputs in [−2, 2] (tinygrad's range) and small synthetic datasets.
import { makeDataset, type Dataset } from '../../src/core/dataset';
import { Prng } from '../../src/core/prng';

export function randomArray<A extends Float32Array | Float64Array>(make: (n: number) => A, n: number, seed: number, range = 2): A {
  const rng = new Prng(seed);
  const a = make(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-range, range);
  return a;
}

export function randomLabels(n: number, classes: number, seed: number): Uint8Array {
  const rng = new Prng(seed);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.nextInt(classes);
  return labels;
}

/**
 * A learnable synthetic classification set: the label is the argmax of a fixed random linear map of the
 * features, so a trained MLP's loss must fall (a test of learning, not of memorising noise).
 */
export function syntheticDataset(count: number, dim: number, classes: number, seed: number): Dataset {
  const x = randomArray((n) => new Float32Array(n), count * dim, seed, 1);
  const w = randomArray((n) => new Float64Array(n), classes * dim, seed + 1, 1);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let f = 0; f < dim; f++) s += w[c * dim + f] * x[i * dim + f];
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    labels[i] = best;
  }
  return makeDataset(x, labels, dim, classes);
}

export function iota(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}
