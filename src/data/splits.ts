// Training subset, validation split and normalisation: how a run turns its files into train / validation / test sets.
//
// P is the training file's sample order: a seeded permutation, or file order with shuffle off.
// With N = trainSubset (default: all) and V = round(valSplit · N):
//   if N + V fits in the file: train = P[0, N), validation = P[N, N + V)   (the subset trains on exactly N samples)
//   otherwise:                 train = P[0, total − V), validation = P[total − V, total)
import { makeDataset, standardisation, type Dataset } from '../core/dataset';
import { deriveSeed, Prng } from '../core/prng';

export interface SplitOptions {
  trainSubset?: number;
  /** Keep only the first N test samples, in file order (quick checks). */
  testSubset?: number;
  /** Fraction of the training samples held out for validation, in [0, 1); 0 turns it off. */
  valSplit: number;
  shuffle: boolean;
  seed: number;
  /** 'scale' keeps the dataset's own scale (x/255 for pixels); 'standardise' uses mean/std of the training split. */
  normalise: 'scale' | 'standardise';
}

export interface Splits {
  train: Dataset;
  validation: Dataset | null;
  test: Dataset | null;
}

const SPLIT_STREAM = 0x5b1;

export function makeSplits(trainFile: Dataset, testFile: Dataset | null, o: SplitOptions): Splits {
  const total = trainFile.count;
  if (!Number.isFinite(o.valSplit) || o.valSplit < 0 || o.valSplit >= 1) throw new RangeError(`val split must be in [0, 1), got ${o.valSplit}`);
  if (o.trainSubset !== undefined && (!Number.isInteger(o.trainSubset) || o.trainSubset < 1)) {
    throw new RangeError(`train subset must be a positive integer, got ${o.trainSubset}`);
  }
  if (o.trainSubset !== undefined && o.trainSubset > total) throw new RangeError(`train subset ${o.trainSubset} is larger than the training set (${total} samples)`);
  if (o.testSubset !== undefined && (!Number.isInteger(o.testSubset) || o.testSubset < 1)) throw new RangeError(`test subset must be a positive integer, got ${o.testSubset}`);
  if (o.testSubset !== undefined && testFile && o.testSubset > testFile.count) throw new RangeError(`test subset ${o.testSubset} is larger than the test set (${testFile.count} samples)`);
  if (testFile && testFile.dim !== trainFile.dim) throw new RangeError(`test set has ${testFile.dim} features, training set ${trainFile.dim}`);
  const n = o.trainSubset ?? total;
  const v = Math.round(o.valSplit * n);
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  if (o.shuffle) new Prng(deriveSeed(o.seed, SPLIT_STREAM)).shuffle(order);
  const [trainIdx, valIdx] = n + v <= total ? [order.subarray(0, n), order.subarray(n, n + v)] : [order.subarray(0, total - v), order.subarray(total - v)];
  if (trainIdx.length === 0) throw new RangeError(`val split ${o.valSplit} leaves no training samples`);
  let train = subset(trainFile, trainIdx);
  let validation = v > 0 ? subset(trainFile, valIdx) : null;
  let test = testFile && o.testSubset !== undefined ? subset(testFile, Uint32Array.from({ length: o.testSubset }, (_, i) => i)) : testFile;
  if (o.normalise === 'standardise') {
    const norm = standardisation(train);
    const withNorm = (d: Dataset): Dataset => makeDataset(d.features, d.labels, d.dim, d.classes, norm);
    train = withNorm(train);
    validation = validation && withNorm(validation);
    test = test && withNorm(test);
  }
  return { train, validation, test };
}

/** The samples at `indices`, copied compactly (uint8 stays uint8), with the same normalisation. */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const features = ds.features instanceof Uint8Array ? new Uint8Array(indices.length * ds.dim) : new Float32Array(indices.length * ds.dim);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const s = indices[i];
    features.set(ds.features.subarray(s * ds.dim, (s + 1) * ds.dim), i * ds.dim);
    labels[i] = ds.labels[s];
  }
  return makeDataset(features, labels, ds.dim, ds.classes, { scale: ds.scale, shift: ds.shift });
}
