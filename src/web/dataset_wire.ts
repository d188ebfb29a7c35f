// The compact dataset body the lab downloads: a 16-byte header, the labels, then uint8 features.
// Layout (little-endian): "DLDS" | u32 count | u32 dim | u32 classes | u8 labels[count] | u8 features[count·dim].
// It is the stored form of an MNIST split (uint8 pixels stay uint8), so a 2,000-image slice is 1.6 MB.
import { makeDataset, type Dataset } from '../core/dataset';

const MAGIC = 0x53444c44; // "DLDS" read as a little-endian u32
const HEADER_BYTES = 16;

export function encodeDataset(labels: Uint8Array, features: Uint8Array, dim: number, classes: number): Uint8Array<ArrayBuffer> {
  const count = labels.length;
  if (features.length !== count * dim) throw new RangeError(`features hold ${features.length} bytes, expected ${count} × ${dim}`);
  const out = new Uint8Array(HEADER_BYTES + count + count * dim);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, count, true);
  view.setUint32(8, dim, true);
  view.setUint32(12, classes, true);
  out.set(labels, HEADER_BYTES);
  out.set(features, HEADER_BYTES + count);
  return out;
}

/** Decodes and validates a body; `what` names it in errors (e.g. the URL it came from). */
export function decodeDataset(body: ArrayBuffer, what: string): Dataset {
  if (body.byteLength < HEADER_BYTES) throw new RangeError(`${what}: ${body.byteLength} bytes is shorter than the 16-byte header`);
  const view = new DataView(body);
  if (view.getUint32(0, true) !== MAGIC) throw new RangeError(`${what}: not a decaylab dataset (magic number is not "DLDS")`);
  const count = view.getUint32(4, true);
  const dim = view.getUint32(8, true);
  const classes = view.getUint32(12, true);
  const expected = HEADER_BYTES + count + count * dim;
  if (body.byteLength !== expected) {
    throw new RangeError(`${what}: header says ${count} samples × ${dim} features (${expected} bytes) but the body has ${body.byteLength}`);
  }
  const labels = new Uint8Array(body, HEADER_BYTES, count);
  const features = new Uint8Array(body, HEADER_BYTES + count, count * dim);
  return makeDataset(features, labels, dim, classes);
}
