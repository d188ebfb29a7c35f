// `train --dataset FILE.csv`: a CSV training and test set through the CLI, with standardisation.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/node/cli';
import { gaussianBlobs } from '../../src/data/synthetic';
import type { Dataset } from '../../src/core/dataset';

const silent = { out: () => {}, err: () => {} };

function toCsv(ds: Dataset): string {
  const rows = [['label', ...Array.from({ length: ds.dim }, (_, f) => `x${f}`)].join(',')];
  // Features shifted by 100 and scaled by 50: only standardisation brings them back to a trainable range.
  for (let i = 0; i < ds.count; i++) rows.push([ds.labels[i], ...Array.from(ds.features.subarray(i * ds.dim, (i + 1) * ds.dim), (v) => 100 + 50 * v)].join(','));
  return rows.join('\n') + '\n';
}

describe('decaylab train on CSV files', () => {
  it('trains a standardised CSV dataset and records its sizes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'decaylab-csv-'));
    // One draw of 330 samples (same cluster centres): the first 240 rows train, the last 90 test.
    const [header, ...rows] = toCsv(gaussianBlobs(330, 5, 3, 1)).trim().split('\n');
    writeFileSync(join(dir, 'train.csv'), [header, ...rows.slice(0, 240)].join('\n'));
    writeFileSync(join(dir, 'test.csv'), [header, ...rows.slice(240)].join('\n'));
    const r = (await main([
      'train', '--dataset', join(dir, 'train.csv'), '--test-dataset', join(dir, 'test.csv'), '--standardise', '--hidden', '8',
      '--lr', '0.1', '--momentum', '0.9', '--epochs', '4', '--batch-size', '16', '--engine', 'cpu', '--quiet', '--out', join(dir, 'out'),
    ], silent))!;
    const run = r.runs[0];
    expect(run.config.data).toMatchObject({ trainCount: 216, valCount: 24, testCount: 90, normalise: 'standardise' });
    expect(run.config.spec).toEqual({ inputSize: 5, hidden: [8], classes: 3 });
    // Three well-separated Gaussian clusters: standardised, a small MLP separates them in 4 epochs.
    expect(run.final!.testAccuracy).toBeGreaterThan(0.9);
  });

  it('names the line of a bad CSV cell', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'decaylab-csv-'));
    writeFileSync(join(dir, 'bad.csv'), 'label,a,b\n0,1,2\n1,3,oops\n');
    await expect(main(['train', '--dataset', join(dir, 'bad.csv'), '--engine', 'cpu', '--quiet', '--out', join(dir, 'o')], silent))
      .rejects.toThrow(/bad.csv: line 3, column "b": "oops" is not a finite number/);
  });
});
