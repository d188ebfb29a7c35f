// The compact stored form of one dataset split (R2 object or SQLite blob): uint8 features stay uint8.
//   bytes 0–3 "DLDS", 4–7 u32 LE version (1), 8–11 u32 LE JSON header length H, then H bytes of JSON
//   {count, dim, classes, dtype}, zero padding to a multiple of 4, features (count·dim, uint8 or float32 LE), labels (count, uint8).
import { makeDataset, type Dataset } from '../../core/dataset';
import { readF32LE, writeF32LE } from '../../train/tensor_bytes';

const MAGIC = 'DLDS';
const VERSION = 1;

export interface DatasetBlobHeader {
  count: number;
  dim: number;
  classes: number;
  dtype: 'uint8' | 'float32';
}

export function encodeDatasetBlob(ds: Dataset): Uint8Array {
  const header: DatasetBlobHeader = { count: ds.count, dim: ds.dim, classes: ds.classes, dtype: ds.features instanceof Uint8Array ? 'uint8' : 'float32' };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = 12 + Math.ceil(json.length / 4) * 4;
  const featureBytes = ds.features.length * (header.dtype === 'uint8' ? 1 : 4);
  const out = new Uint8Array(dataStart + featureBytes + ds.count);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  if (ds.features instanceof Uint8Array) out.set(ds.features, dataStart);
  else writeF32LE(out, dataStart, ds.features);
  out.set(ds.labels, dataStart + featureBytes);
  return out;
}

export function readDatasetBlobHeader(bytes: Uint8Array): { header: DatasetBlobHeader; dataStart: number } {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw new RangeError('stored dataset is corrupt: bad magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(4, true) !== VERSION) throw new RangeError(`stored dataset has unsupported version ${view.getUint32(4, true)}`);
  const length = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as DatasetBlobHeader;
  return { header, dataStart: 12 + Math.ceil(length / 4) * 4 };
}

export function decodeDatasetBlob(bytes: Uint8Array): Dataset {
  const { header: h, dataStart } = readDatasetBlobHeader(bytes);
  const featureBytes = h.count * h.dim * (h.dtype === 'uint8' ? 1 : 4);
  if (bytes.length !== dataStart + featureBytes + h.count) throw new RangeError(`stored dataset is corrupt: ${bytes.length} bytes, expected ${dataStart + featureBytes + h.count}`);
  // Views, not copies: a Worker holding MNIST (47 MB of pixels) has no room for a second copy.
  const features = h.dtype === 'uint8' ? bytes.subarray(dataStart, dataStart + featureBytes) : readF32LE(bytes, dataStart, h.count * h.dim);
  const labels = bytes.subarray(dataStart + featureBytes, dataStart + featureBytes + h.count);
  return makeDataset(features, labels, h.dim, h.classes);
}

/** Where the parts of a stored blob lie, from its first bytes (the header is small: 4 KiB always covers it). */
export interface DatasetBlobLayout {
  header: DatasetBlobHeader;
  dataStart: number;
  bytesPerFeature: 1 | 4;
}

export const DATASET_BLOB_HEADER_PROBE = 4096;

export function datasetBlobLayout(prefix: Uint8Array): DatasetBlobLayout {
  const { header, dataStart } = readDatasetBlobHeader(prefix);
  return { header, dataStart, bytesPerFeature: header.dtype === 'uint8' ? 1 : 4 };
}

/** Byte ranges of the first `take` samples' features and labels, so a store can read only those (R2 range reads). */
export function firstSamplesRanges(layout: DatasetBlobLayout, take: number): { features: { offset: number; length: number }; labels: { offset: number; length: number } } {
  const { header: h, dataStart, bytesPerFeature } = layout;
  const n = Math.min(take, h.count);
  return {
    features: { offset: dataStart, length: n * h.dim * bytesPerFeature },
    labels: { offset: dataStart + h.count * h.dim * bytesPerFeature, length: n },
  };
}

/** A blob of `labels.length` samples from raw feature bytes (already in the stored byte order) and labels; classes kept. */
export function assembleDatasetBlob(header: DatasetBlobHeader, featureBytes: Uint8Array, labels: Uint8Array): Uint8Array {
  const out: DatasetBlobHeader = { count: labels.length, dim: header.dim, classes: header.classes, dtype: header.dtype };
  const json = new TextEncoder().encode(JSON.stringify(out));
  const dataStart = 12 + Math.ceil(json.length / 4) * 4;
  const expected = out.count * out.dim * (out.dtype === 'uint8' ? 1 : 4);
  if (featureBytes.length !== expected) throw new RangeError(`stored dataset is corrupt: ${featureBytes.length} feature bytes for ${out.count} samples, expected ${expected}`);
  const bytes = new Uint8Array(dataStart + featureBytes.length + labels.length);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, 12);
  bytes.set(featureBytes, dataStart);
  bytes.set(labels, dataStart + featureBytes.length);
  return bytes;
}

/**
 * The first `take` samples of a stored blob, in the same stored form (`take` ≥ count or undefined: the blob itself).
 * The number of classes is kept, so a model sized from the slice fits the whole split.
 */
export function sliceDatasetBlob(bytes: Uint8Array, take: number | undefined): Uint8Array {
  const layout = datasetBlobLayout(bytes);
  if (take === undefined || take >= layout.header.count) return bytes;
  const r = firstSamplesRanges(layout, take);
  if (r.labels.offset + layout.header.count > bytes.length) throw new RangeError(`stored dataset is corrupt: ${bytes.length} bytes, too short for ${layout.header.count} samples`);
  return assembleDatasetBlob(layout.header, bytes.subarray(r.features.offset, r.features.offset + r.features.length), bytes.subarray(r.labels.offset, r.labels.offset + r.labels.length));
}
