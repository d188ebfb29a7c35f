// The train / validation / test splits of a run, from its stored or inline files, as src/data/splits makes them.
import type { Dataset } from '../../core/dataset';
import { makeSplits, subset, type Splits } from '../../data/splits';
import { invalidField } from '../problem';
import type { RunDatasetConfig } from './run_config';

export interface RunFiles {
  train: Dataset;
  test: Dataset | null;
}

/** Loads a stored split for an owner (own datasets first, then shared ones); null when absent. */
export type StoredDatasetLoader = (owner: string, name: string, split: 'train' | 'test') => Promise<Dataset | null>;

export async function loadStoredFiles(load: StoredDatasetLoader, owner: string, name: string): Promise<RunFiles> {
  const [train, test] = await Promise.all([load(owner, name, 'train'), load(owner, name, 'test')]);
  if (!train) throw invalidField('dataset.name', `no dataset "${name}" with a train split (PUT /v1/datasets/${name}?split=train first; GET /v1/datasets lists yours)`);
  return { train, test };
}

export function runSplits(files: RunFiles, d: RunDatasetConfig, seed: number, shuffle: boolean): Splits {
  let test = files.test;
  if (test && d.testTake !== null && d.testTake < test.count) test = subset(test, Array.from({ length: d.testTake }, (_, i) => i));
  try {
    return makeSplits(files.train, test, {
      trainSubset: d.take ?? undefined,
      valSplit: d.validationFraction,
      shuffle,
      seed,
      normalise: d.normalize === 'standardize' ? 'standardise' : 'scale',
    });
  } catch (e) {
    if (e instanceof RangeError) throw invalidField('dataset', e.message);
    throw e;
  }
}
