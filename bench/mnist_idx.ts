// Minimal MNIST IDX reader for the bench children (the project's validating reader lives in src/data).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MnistSplit {
  count: number;
  /** (count, 784) raw uint8 pixels; a system normalises them as x = pixel / 255. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

const DIM = 784;

function readIdx(path: string, magic: number, headerBytes: number): { count: number; body: Uint8Array } {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < headerBytes || view.getUint32(0) !== magic) {
    throw new Error(`${path} is not an IDX file with magic 0x${magic.toString(16)}`);
  }
  const count = view.getUint32(4);
  return { count, body: new Uint8Array(buf.buffer, buf.byteOffset + headerBytes, buf.byteLength - headerBytes) };
}

/** split 'train' → train-*-idx?-ubyte, 'test' → t10k-*. */
export function readMnist(dir: string, split: 'train' | 'test'): MnistSplit {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(join(dir, `${prefix}-images-idx3-ubyte`), 0x803, 16);
  const labels = readIdx(join(dir, `${prefix}-labels-idx1-ubyte`), 0x801, 8);
  if (images.count !== labels.count || images.body.length !== images.count * DIM) {
    throw new Error(`${dir} ${split}: ${images.count} images (${images.body.length} bytes) vs ${labels.count} labels`);
  }
  return { count: images.count, pixels: images.body, labels: labels.body };
}

/** Rows `indices[offset .. offset+batch)` as float32 pixel/255 into x (batch, 784) and labels into y. */
export function gatherNormalised(split: MnistSplit, indices: ArrayLike<number>, offset: number, batch: number, x: Float32Array, y: Int32Array): void {
  for (let r = 0; r < batch; r++) {
    const s = indices[offset + r];
    const src = s * DIM;
    for (let f = 0; f < DIM; f++) x[r * DIM + f] = split.pixels[src + f] / 255;
    y[r] = split.labels[s];
  }
}
