// `--autotune` on the CLI: the first run times the GEMM kernels for its model and batch size and caches the choice
// (DECAYLAB_CACHE_DIR here), a second run reads it back instead of timing; both train to the same kind of result.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/node/cli';
import type { ResultsFile } from '../../src/train/results';

const cacheDir = mkdtempSync(join(tmpdir(), 'decaylab-cache-'));
const previous = process.env.DECAYLAB_CACHE_DIR;
beforeAll(() => { process.env.DECAYLAB_CACHE_DIR = cacheDir; });
afterAll(() => {
  if (previous === undefined) delete process.env.DECAYLAB_CACHE_DIR;
  else process.env.DECAYLAB_CACHE_DIR = previous;
});

async function train(): Promise<{ results: ResultsFile; err: string[] }> {
  const err: string[] = [];
  const results = (await main([
    'train', '--engine', 'gpu', '--autotune', '--hidden', '32', '--batch-size', '48', '--epochs', '2', '--lr', '0.1', '--momentum', '0.9', '--train-subset', '480',
    '--test-subset', '100', '--val-split', '0', '--quiet', '--out', mkdtempSync(join(tmpdir(), 'decaylab-autotune-')),
  ], { out: () => {}, err: (l) => err.push(l) }))!;
  return { results, err };
}

describe('train --autotune', () => {
  it('times the kernels once per adapter, model and batch size, then reads the cached choice', async () => {
    const first = await train();
    expect(first.err.filter((l) => l.startsWith('autotune: timing'))).toHaveLength(1);
    const file = join(cacheDir, 'kernel-variants.json');
    expect(existsSync(file)).toBe(true);
    const keys = Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { entries: object }).entries);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toContain('48x784x32,48x32x10');
    const second = await train();
    expect(second.err.filter((l) => l.startsWith('autotune'))).toEqual([]);
    for (const { results } of [first, second]) {
      expect(results.runs[0].status).toBe('completed');
      expect(results.runs[0].final?.testAccuracy).toBeGreaterThan(0.3);
    }
  }, 120_000);
});
