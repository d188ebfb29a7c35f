// The first n samples of a dataset as a view (no copy): the lab's training and test subsets.
import { makeDataset, type Dataset } from '../core/dataset';

export function firstSamples(ds: Dataset, n: number): Dataset {
  const count = Math.min(n, ds.count);
  if (count === ds.count) return ds;
  return makeDataset(ds.features.subarray(0, count * ds.dim), ds.labels.subarray(0, count), ds.dim, ds.classes, {
    scale: ds.scale,
    shift: ds.shift,
  });
}
