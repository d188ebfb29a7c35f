// IDX files (the MNIST format): big-endian header, uint8 payload. Parsed directly; every malformed case gets its own error.
//   bytes 0–1  zero;  byte 2  element type (0x08 = unsigned byte, the only one MNIST uses);  byte 3  number of dimensions
//   then one u32 big-endian size per dimension, then the elements in row-major order.
import { makeDataset, type Dataset } from '../core/dataset';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/** Parses an unsigned-byte IDX array; `name` appears in the errors. */
export function parseIdx(bytes: Uint8Array, name: string, expectedDims?: number): IdxArray {
  if (bytes.length < 4) throw new RangeError(`${name}: ${bytes.length} bytes is too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new RangeError(`${name}: bad IDX magic number 0x${hex(bytes, 0, 4)} (must start with two zero bytes; is the file gzipped?)`);
  }
  if (bytes[2] !== UBYTE) throw new RangeError(`${name}: IDX element type 0x${bytes[2].toString(16).padStart(2, '0')} is not supported (only 0x08, unsigned byte)`);
  const ndims = bytes[3];
  if (expectedDims !== undefined && ndims !== expectedDims) {
    throw new RangeError(`${name}: bad IDX magic number 0x${hex(bytes, 0, 4)}: ${ndims} dimensions, expected ${expectedDims}`);
  }
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) throw new RangeError(`${name}: truncated IDX header (${bytes.length} bytes, need ${headerLength} for ${ndims} dimensions)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const elements = dims.reduce((a, b) => a * b, 1);
  const expected = headerLength + elements;
  if (bytes.length < expected) {
    throw new RangeError(`${name}: truncated: header promises ${dims.join('×')} = ${elements} bytes of data, file holds ${bytes.length - headerLength}`);
  }
  if (bytes.length > expected) {
    throw new RangeError(`${name}: ${bytes.length - expected} unexpected bytes after the ${dims.join('×')} data (sizes in the header disagree with the file)`);
  }
  return { dims, data: bytes.subarray(headerLength, expected) };
}

/** An image dataset from an IDX3 image file (count, rows, cols) and an IDX1 label file (count). */
export function datasetFromIdx(images: Uint8Array, labels: Uint8Array, classes = 10, names = { images: 'images', labels: 'labels' }): Dataset {
  const img = parseIdx(images, names.images, 3);
  const lab = parseIdx(labels, names.labels, 1);
  const [count, rows, cols] = img.dims;
  if (lab.dims[0] !== count) throw new RangeError(`${names.images} holds ${count} images but ${names.labels} holds ${lab.dims[0]} labels`);
  for (let i = 0; i < count; i++) {
    if (lab.data[i] >= classes) throw new RangeError(`${names.labels}: label ${lab.data[i]} of sample ${i} is out of range [0, ${classes})`);
  }
  return makeDataset(img.data, lab.data, rows * cols, classes);
}

function hex(bytes: Uint8Array, start: number, n: number): string {
  return Array.from(bytes.subarray(start, start + n), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Encodes an unsigned-byte IDX array (for tests and for exporting subsets). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = UBYTE;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
