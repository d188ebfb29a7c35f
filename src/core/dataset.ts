// A labelled dataset kept compact (uint8 pixels stay uint8) with the normalisation applied on the fly.

export interface Dataset {
  /** Number of samples. */
  count: number;
  /** Features per sample. */
  dim: number;
  classes: number;
  /** (count, dim) row-major. uint8 for images, float32 for anything else. */
  features: Uint8Array | Float32Array;
  /** (count), each in [0, classes). */
  labels: Uint8Array;
  /** Feature f of a sample is features[·, f] * scale[f] + shift[f]. */
  scale: Float32Array;
  shift: Float32Array;
}

export function makeDataset(
  features: Uint8Array | Float32Array,
  labels: Uint8Array,
  dim: number,
  classes: number,
  normalisation?: { scale: Float32Array; shift: Float32Array },
): Dataset {
  const count = labels.length;
  if (features.length !== count * dim) {
    throw new RangeError(`features hold ${features.length} values, expected ${count} samples × ${dim} features`);
  }
  for (let i = 0; i < count; i++) {
    if (labels[i] >= classes) throw new RangeError(`label ${labels[i]} of sample ${i} is out of range [0, ${classes})`);
  }
  if (features instanceof Float32Array) {
    for (let i = 0; i < features.length; i++) {
      if (!Number.isFinite(features[i])) throw new RangeError(`feature ${i % dim} of sample ${Math.floor(i / dim)} is ${features[i]}`);
    }
  }
  const defaultScale = features instanceof Uint8Array ? 1 / 255 : 1;
  const scale = normalisation?.scale ?? new Float32Array(dim).fill(defaultScale);
  const shift = normalisation?.shift ?? new Float32Array(dim);
  if (scale.length !== dim || shift.length !== dim) throw new RangeError(`normalisation must have ${dim} entries`);
  return { count, dim, classes, features, labels, scale, shift };
}

/** Per-feature standardisation (x − mean)/std computed on ds, written as scale/shift of the raw values. */
export function standardisation(ds: Dataset): { scale: Float32Array; shift: Float32Array } {
  const mean = new Float64Array(ds.dim);
  const sq = new Float64Array(ds.dim);
  for (let i = 0; i < ds.count; i++) {
    for (let f = 0; f < ds.dim; f++) {
      const v = ds.features[i * ds.dim + f];
      mean[f] += v;
      sq[f] += v * v;
    }
  }
  const scale = new Float32Array(ds.dim);
  const shift = new Float32Array(ds.dim);
  for (let f = 0; f < ds.dim; f++) {
    const m = mean[f] / ds.count;
    const variance = Math.max(sq[f] / ds.count - m * m, 0);
    // Constant features (MNIST's corners) get std 1 so that they become 0 instead of NaN.
    const std = variance > 1e-12 ? Math.sqrt(variance) : 1;
    scale[f] = 1 / std;
    shift[f] = -m / std;
  }
  return { scale, shift };
}

/** The normalised feature vector of one sample, in float64. */
export function sampleFeatures(ds: Dataset, index: number, out: Float64Array | Float32Array): void {
  const base = index * ds.dim;
  for (let f = 0; f < ds.dim; f++) out[f] = ds.features[base + f] * ds.scale[f] + ds.shift[f];
}
