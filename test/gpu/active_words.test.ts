// The host side of layer 0's skipping of zero input words (src/gpu/active_words.ts): the per-sample masks, the
// per-batch lists the u8 kernels read, and the index buffer's layout. Checked against a direct reading of the bytes
// (which words of which rows hold a nonzero byte), not against the module's own bit arithmetic.
import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/core/prng';
import { activeListLength, batchIndexData, batchListsLength, inputWordMasks, writeActiveWords } from '../../src/gpu/active_words';

/** count rows of dim bytes, each word nonzero with probability `density` (one random nonzero byte in it). */
function sparseBytes(count: number, dim: number, density: number, seed: number): Uint8Array {
  const rng = new Prng(seed);
  const bytes = new Uint8Array(count * dim);
  for (let w = 0; w < count * dim / 4; w++) if (rng.uniform(0, 1) < density) bytes[4 * w + rng.nextInt(4)] = 1 + rng.nextInt(255);
  return bytes;
}

/** The words some row of `rows` has a nonzero byte in, read straight from the bytes. */
function nonzeroWords(bytes: Uint8Array, dim: number, rows: ArrayLike<number>): Set<number> {
  const words = new Set<number>();
  for (const r of Array.from(rows)) for (let f = 0; f < dim; f++) if (bytes[r * dim + f] !== 0) words.add(Math.floor(f / 4));
  return words;
}

describe('active input words', () => {
  // 40 words per row: a second mask word (32 + 8), so a bit past the first u32 is exercised.
  const dim = 160;
  const count = 50;
  const bytes = sparseBytes(count, dim, 0.2, 1);
  const noShift = new Float32Array(dim);

  it('lists exactly the words nonzero in some row of the batch first, then every other word once', () => {
    const masks = inputWordMasks(bytes, count, dim, noShift);
    const rng = new Prng(2);
    for (const batchSize of [1, 3, 16]) {
      const batch = Uint32Array.from({ length: batchSize }, () => rng.nextInt(count));
      const out = new Uint32Array(2 + activeListLength(40)).fill(999);
      const written = writeActiveWords(masks, batch, out, 2, 1);
      const expected = nonzeroWords(bytes, dim, batch);
      expect(written).toBe(expected.size);
      expect(out[2]).toBe(expected.size);
      const list = Array.from(out.subarray(3, 3 + 40));
      expect(new Set(list.slice(0, expected.size))).toEqual(expected);
      expect([...list].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, w) => w));
      expect(out[0]).toBe(999); // nothing written before `at`
      expect(out[1]).toBe(999);
    }
  });

  it('rounds the count up to the alignment with inactive words, but never past the row', () => {
    const masks = inputWordMasks(bytes, count, dim, noShift);
    const out = new Uint32Array(activeListLength(40));
    // A row whose active count is not a multiple of 8 (else this case shows nothing).
    const row = Array.from({ length: count }, (_, r) => r).find((r) => nonzeroWords(bytes, dim, [r]).size % 8 !== 0)!;
    const active = nonzeroWords(bytes, dim, [row]).size;
    expect(writeActiveWords(masks, [row], out, 0, 8)).toBe(Math.ceil(active / 8) * 8);
    const all = Uint32Array.from({ length: count }, (_, i) => i);
    expect(nonzeroWords(bytes, dim, all).size).toBeGreaterThan(32);
    expect(writeActiveWords(masks, all, out, 0, 16)).toBe(40); // 48 would be past the row's 40 words
  });

  it('counts a word whose feature has a nonzero shift as active whatever its bytes', () => {
    const shift = new Float32Array(dim);
    shift[4 * 37 + 2] = -0.5; // word 37, in the second mask word
    const zeros = new Uint8Array(count * dim);
    const out = new Uint32Array(activeListLength(40));
    expect(writeActiveWords(inputWordMasks(zeros, count, dim, shift), [0, 1], out, 0, 1)).toBe(1);
    expect(out[1]).toBe(37);
    expect(writeActiveWords(inputWordMasks(zeros, count, dim, noShift), [0, 1], out, 0, 1)).toBe(0);
  });

  it('reads features that start at an unaligned byte offset (an IDX file body) as the aligned copy', () => {
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    const unaligned = inputWordMasks(padded.subarray(3), count, dim, noShift);
    expect(unaligned.bits).toEqual(inputWordMasks(bytes, count, dim, noShift).bits);
  });

  it('lays out a chunk: sample indices, then per batch its list and one per row group, or lists of every word for all', () => {
    const masks = inputWordMasks(bytes, count, dim, noShift);
    const samples = Uint32Array.from({ length: 12 }, (_, i) => (i * 7) % count);
    // Groups of 3 rows in batches of 4: a group of 3 and a short one of 1, so 3 lists per batch.
    const active = batchIndexData(samples, 4, 3, masks, 'active', 1, 3);
    expect(batchListsLength(40, 4, 3)).toBe(3 * activeListLength(40));
    expect(active.data.length).toBe(12 + 3 * 3 * activeListLength(40));
    expect(Array.from(active.data.subarray(0, 12))).toEqual(Array.from(samples));
    expect(active.activeOffsets).toEqual([12, 12 + 123, 12 + 246]);
    active.activeOffsets.forEach((at, b) => {
      const rows = samples.subarray(4 * b, 4 * b + 4);
      expect(active.data[at]).toBe(nonzeroWords(bytes, dim, rows).size);
      // Each group's list holds exactly the words nonzero in its own rows, first.
      for (const [g, groupRows] of [rows.subarray(0, 3), rows.subarray(3)].entries()) {
        const list = at + (1 + g) * activeListLength(40);
        const words = nonzeroWords(bytes, dim, groupRows);
        expect(active.data[list]).toBe(words.size);
        expect(new Set(active.data.subarray(list + 1, list + 1 + words.size))).toEqual(words);
      }
    });
    const all = batchIndexData(samples, 4, 3, masks, 'all', 8, 3);
    expect(all.activeOffsets).toEqual([12, 12, 12]);
    const everyWord = [40, ...Array.from({ length: 40 }, (_, w) => w)];
    expect(Array.from(all.data.subarray(12))).toEqual([...everyWord, ...everyWord, ...everyWord]);
    // A dataset the kernels do not read as words: the indices alone.
    expect(Array.from(batchIndexData(samples, 4, 3, null, 'active', 8, 3).data)).toEqual(Array.from(samples));
    expect(() => batchIndexData(samples, 4, 4, masks, 'active', 1, 3)).toThrow(/need 16 sample indices, got 12/);
    expect(() => batchIndexData(samples, 4, 3, masks, 'active', 1, 0)).toThrow(/groupRows must be a positive integer, got 0/);
  });

  it('rejects rows that are not whole words and a byte count that is not count rows', () => {
    expect(() => inputWordMasks(new Uint8Array(10), 2, 5, new Float32Array(5))).toThrow(/dim % 4 == 0/);
    expect(() => inputWordMasks(new Uint8Array(10), 2, 8, new Float32Array(8))).toThrow(/not 2 rows of 8/);
  });
});
