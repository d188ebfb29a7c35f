// IDX parsing: a valid file round-trips, every corrupt case fails with an error naming the problem.
import { describe, expect, it } from 'vitest';
import { datasetFromIdx, encodeIdx, parseIdx } from '../../src/data/idx';
import { Prng } from '../../src/core/prng';

function images(count: number, rows: number, cols: number, seed: number): Uint8Array {
  const rng = new Prng(seed);
  const data = Uint8Array.from({ length: count * rows * cols }, () => rng.nextInt(256));
  return encodeIdx([count, rows, cols], data);
}
const labels = (values: number[]): Uint8Array => encodeIdx([values.length], Uint8Array.from(values));

describe('IDX reader', () => {
  it('reads a valid image/label pair with x/255 scaling and the big-endian sizes', () => {
    const img = images(3, 5, 7, 1);
    const ds = datasetFromIdx(img, labels([0, 9, 4]));
    expect(ds.count).toBe(3);
    expect(ds.dim).toBe(35);
    expect(Array.from(ds.labels)).toEqual([0, 9, 4]);
    // Header: 4 magic bytes + 3 sizes; pixel 0 of image 1 sits at offset 16 + 35.
    expect(ds.features[35]).toBe(img[16 + 35]);
    expect(ds.features).toBeInstanceOf(Uint8Array);
    expect(ds.scale[0]).toBeCloseTo(1 / 255, 9);
  });

  it('rejects a bad magic number (gzipped file)', () => {
    const gz = Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]);
    expect(() => parseIdx(gz, 'train-images')).toThrow(/train-images: bad IDX magic number 0x1f8b0800.*gzipped/);
  });

  it('rejects an unsupported element type', () => {
    const f = images(1, 2, 2, 2);
    f[2] = 0x0d; // float
    expect(() => parseIdx(f, 'x')).toThrow(/element type 0x0d is not supported/);
  });

  it('rejects an image file with the wrong number of dimensions', () => {
    expect(() => datasetFromIdx(labels([1, 2]), labels([1, 2]))).toThrow(/images: bad IDX magic number 0x00000801: 1 dimensions, expected 3/);
  });

  it('rejects a truncated data section and a truncated header', () => {
    const f = images(4, 3, 3, 3);
    expect(() => parseIdx(f.subarray(0, f.length - 5), 'imgs', 3)).toThrow(/imgs: truncated: header promises 4×3×3 = 36 bytes of data, file holds 31/);
    expect(() => parseIdx(f.subarray(0, 10), 'imgs', 3)).toThrow(/truncated IDX header/);
    expect(() => parseIdx(f.subarray(0, 2), 'imgs', 3)).toThrow(/too short/);
  });

  it('rejects trailing bytes (sizes that disagree with the file)', () => {
    const f = images(2, 2, 2, 4);
    const longer = new Uint8Array(f.length + 3);
    longer.set(f);
    expect(() => parseIdx(longer, 'imgs', 3)).toThrow(/3 unexpected bytes after the 2×2×2 data/);
  });

  it('rejects image and label counts that disagree', () => {
    expect(() => datasetFromIdx(images(3, 2, 2, 5), labels([1, 2]))).toThrow(/holds 3 images but labels holds 2 labels/);
  });

  it('rejects labels out of range', () => {
    expect(() => datasetFromIdx(images(3, 2, 2, 6), labels([1, 10, 2]))).toThrow(/label 10 of sample 1 is out of range \[0, 10\)/);
  });
});
