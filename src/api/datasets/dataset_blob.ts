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
