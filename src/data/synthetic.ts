// Small seeded datasets for tests: Gaussian blobs (float features) and blocky uint8 "images".
import { makeDataset, type Dataset } from '../core/dataset';
import { Prng } from '../core/prng';

/** `classes` Gaussian clusters in `dim` dimensions with unit centres spread apart by `separation`. */
export function gaussianBlobs(count: number, dim: number, classes: number, seed: number, separation = 3): Dataset {
  const rng = new Prng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => rng.uniform(-separation, separation)));
  const features = new Float32Array(count * dim);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % classes;
    labels[i] = c;
    for (let f = 0; f < dim; f++) features[i * dim + f] = centres[c][f] + gaussian(rng);
  }
  return makeDataset(features, labels, dim, classes);
}

/** uint8 images where class c brightens a class-specific band of pixels, plus noise: learnable, MNIST-shaped in kind. */
export function syntheticImages(count: number, side: number, classes: number, seed: number): Dataset {
  const rng = new Prng(seed);
  const dim = side * side;
  const features = new Uint8Array(count * dim);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = rng.nextInt(classes);
    labels[i] = c;
    for (let p = 0; p < dim; p++) {
      const inBand = Math.floor((p * classes) / dim) === c;
      features[i * dim + p] = Math.min(255, Math.floor((inBand ? 160 : 0) + rng.uniform(0, 96)));
    }
  }
  return makeDataset(features, labels, dim, classes);
}

function gaussian(rng: Prng): number {
  // Box–Muller; 1 − u keeps the log's argument in (0, 1].
  const u = 1 - rng.nextFloat();
  const v = rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
