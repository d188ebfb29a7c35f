// Subset / validation split / normalisation: sizes, disjointness, file order with shuffle off, seeded reproducibility.
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/core/dataset';
import { makeSplits } from '../../src/data/splits';
import { gaussianBlobs } from '../../src/data/synthetic';

// Feature 0 of sample i is i, so every split can be traced back to the file's sample ids.
function numbered(count: number) {
  const f = new Uint8Array(count * 2);
  for (let i = 0; i < count; i++) (f[2 * i] = i), (f[2 * i + 1] = 7);
  return makeDataset(f, new Uint8Array(count).map((_, i) => i % 3), 2, 3);
}
const ids = (d: { features: ArrayLike<number>; count: number }) => Array.from({ length: d.count }, (_, i) => d.features[2 * i]);

describe('makeSplits', () => {
  it('with --no-shuffle takes the first N samples in file order and the next V for validation', () => {
    const s = makeSplits(numbered(100), null, { trainSubset: 20, valSplit: 0.25, shuffle: false, seed: 1, normalise: 'scale' });
    expect(ids(s.train)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(ids(s.validation!)).toEqual(Array.from({ length: 5 }, (_, i) => 20 + i));
  });

  it('without a subset carves validation from the end; val split 0 turns it off', () => {
    const s = makeSplits(numbered(50), null, { valSplit: 0.1, shuffle: false, seed: 1, normalise: 'scale' });
    expect(s.train.count).toBe(45);
    expect(ids(s.validation!)).toEqual([45, 46, 47, 48, 49]);
    expect(makeSplits(numbered(50), null, { valSplit: 0, shuffle: false, seed: 1, normalise: 'scale' }).validation).toBeNull();
  });

  it('shuffled splits are disjoint, seeded and differ between seeds', () => {
    const opts = { trainSubset: 60, valSplit: 0.5, shuffle: true, seed: 3, normalise: 'scale' as const };
    const a = makeSplits(numbered(100), null, opts);
    const b = makeSplits(numbered(100), null, opts);
    const c = makeSplits(numbered(100), null, { ...opts, seed: 4 });
    expect(ids(a.train)).toEqual(ids(b.train));
    expect(ids(a.train)).not.toEqual(ids(c.train));
    const all = new Set([...ids(a.train), ...ids(a.validation!)]);
    expect(all.size).toBe(90);
    expect(a.train.features).toBeInstanceOf(Uint8Array);
  });

  it('standardises with the training split statistics', () => {
    const s = makeSplits(gaussianBlobs(200, 3, 2, 9), gaussianBlobs(50, 3, 2, 10), { valSplit: 0, shuffle: false, seed: 1, normalise: 'standardise' });
    for (let f = 0; f < 3; f++) {
      let m = 0, q = 0;
      for (let i = 0; i < s.train.count; i++) {
        const v = s.train.features[i * 3 + f] * s.train.scale[f] + s.train.shift[f];
        m += v;
        q += v * v;
      }
      m /= s.train.count;
      // float32 features and a float32 scale/shift: mean 0 and variance 1 to about 1e-5.
      expect(Math.abs(m)).toBeLessThan(1e-5);
      expect(Math.abs(q / s.train.count - m * m - 1)).toBeLessThan(1e-4);
    }
    expect(s.test!.scale).toEqual(s.train.scale);
  });

  it('rejects a bad subset or split', () => {
    const base = { valSplit: 0.1, shuffle: false, seed: 1, normalise: 'scale' as const };
    expect(() => makeSplits(numbered(10), null, { ...base, trainSubset: 11 })).toThrow(/train subset 11 is larger than the training set \(10 samples\)/);
    expect(() => makeSplits(numbered(10), null, { ...base, valSplit: 1 })).toThrow(/val split must be in \[0, 1\)/);
    expect(() => makeSplits(numbered(10), null, { ...base, trainSubset: 0 })).toThrow(/train subset must be a positive integer/);
  });
});
