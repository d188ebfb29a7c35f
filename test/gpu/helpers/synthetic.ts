// Small seeded classification data and training chunks shared by the GPU trainer tests.
import { makeDataset, type Dataset } from '../../../src/core/dataset';
import { Prng } from '../../../src/core/prng';
import type { TrainChunk } from '../../../src/core/trainer';

/**
 * `count` samples of `dim` features in `classes` Gaussian-ish blobs. uint8 features (scaled by 1/255 and centred)
 * exercise the packed path; float32 features the other one.
 */
export function syntheticDataset(count: number, dim: number, classes: number, seed: number, kind: 'u8' | 'f32' = 'f32'): Dataset {
  const rng = new Prng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => rng.uniform(-1, 1)));
  const labels = new Uint8Array(count);
  const values = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const c = rng.nextInt(classes);
    labels[i] = c;
    for (let f = 0; f < dim; f++) values[i * dim + f] = centres[c][f] + rng.uniform(-0.8, 0.8);
  }
  if (kind === 'f32') return makeDataset(values, labels, dim, classes);
  const bytes = Uint8Array.from(values, (v) => Math.max(0, Math.min(255, Math.round((v + 2) * 63))));
  return makeDataset(bytes, labels, dim, classes, {
    scale: new Float32Array(dim).fill(1 / 63),
    shift: new Float32Array(dim).fill(-2),
  });
}

export function randomChunk(count: number, steps: number, batchSize: number, lr: number, seed: number): TrainChunk {
  const rng = new Prng(seed);
  const indices = Uint32Array.from({ length: steps * batchSize }, () => rng.nextInt(count));
  // A gentle decay of the learning rate so that per-step lrs (and decoupled decay's 1 − η·wd) really vary.
  const lrs = Float32Array.from({ length: steps }, (_, s) => lr * (1 - (0.5 * s) / Math.max(steps, 1)));
  return { indices, batchSize, lrs };
}
