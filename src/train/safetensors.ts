// Weights as safetensors with PyTorch nn.Sequential names (0.weight, 0.bias, 2.weight, …), float32 little-endian,
// so that `model.load_state_dict(safetensors.torch.load_file(path))` works on nn.Sequential(Linear, ReLU, …, Linear).
// Layout: u64 LE header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__},
// then the data; offsets are relative to the end of the header.
import type { ModelParams } from '../core/params';
import { layerShapes, torchTensorNames, validateSpec, type ModelSpec } from '../core/spec';
import { readF32LE, writeF32LE } from './tensor_bytes';

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Safetensors bytes of the model's parameters; metadata values must be strings (format rule). */
export function encodeSafetensors(spec: ModelSpec, params: ModelParams, metadata: Record<string, string> = {}): Uint8Array {
  const names = torchTensorNames(spec);
  const shapes = layerShapes(spec);
  if (params.length !== shapes.length) throw new RangeError(`expected ${shapes.length} layers, got ${params.length}`);
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const tensors: Float32Array[] = [];
  let offset = 0;
  shapes.forEach((s, l) => {
    const add = (name: string, shape: number[], data: Float32Array): void => {
      const n = shape.reduce((a, b) => a * b, 1);
      if (data.length !== n) throw new RangeError(`${name}: expected ${n} values for shape [${shape}], got ${data.length}`);
      header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + n * 4] };
      tensors.push(data);
      offset += n * 4;
    };
    add(names[l].weight, [s.outFeatures, s.inFeatures], params[l].weight);
    add(names[l].bias, [s.outFeatures], params[l].bias);
  });
  let json = JSON.stringify(header);
  // Pad the header with spaces to a multiple of 8 bytes so that the data is aligned, as the reference writer does.
  const raw = new TextEncoder().encode(json);
  json += ' '.repeat((8 - (raw.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const bytes = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  bytes.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    writeF32LE(bytes, at, t);
    at += t.length * 4;
  }
  return bytes;
}

export interface SafetensorsFile {
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
  metadata: Record<string, string>;
}

/** Parses any safetensors file of F32 tensors, validating the header against the file's size. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw new RangeError(`not a safetensors file: ${bytes.length} bytes is shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw new RangeError(`safetensors header length ${headerLength} runs past the end of the file (${bytes.length} bytes): truncated or not safetensors`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch (e) {
    throw new RangeError(`safetensors header is not valid JSON: ${(e as Error).message}`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = value as Record<string, string>;
      continue;
    }
    const e = value as HeaderEntry;
    if (e.dtype !== 'F32') throw new RangeError(`tensor ${name} has dtype ${e.dtype}; decaylab reads F32 only (save with .float())`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new RangeError(`tensor ${name} has an invalid shape ${JSON.stringify(e.shape)}`);
    const [begin, end] = e.data_offsets ?? [];
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > dataLength || end - begin !== n * 4) {
      throw new RangeError(`tensor ${name}: data_offsets ${JSON.stringify(e.data_offsets)} do not hold ${n} float32 values within the ${dataLength} data bytes`);
    }
    tensors.set(name, { shape: e.shape, data: readF32LE(bytes, dataStart + begin, n) });
  }
  return { tensors, metadata };
}

/** The model spec implied by tensors named 0.weight, 0.bias, 2.weight, … (weights shaped [out, in]). */
export function inferSpec(file: SafetensorsFile): ModelSpec {
  const sizes: number[] = [];
  let l = 0;
  for (; file.tensors.has(`${2 * l}.weight`); l++) {
    const w = file.tensors.get(`${2 * l}.weight`)!;
    if (w.shape.length !== 2) throw new RangeError(`${2 * l}.weight must be 2-D [out, in], got shape [${w.shape}]`);
    if (l === 0) sizes.push(w.shape[1]);
    else if (w.shape[1] !== sizes[sizes.length - 1]) throw new RangeError(`${2 * l}.weight takes ${w.shape[1]} inputs but the previous layer gives ${sizes[sizes.length - 1]}`);
    sizes.push(w.shape[0]);
  }
  if (l === 0) throw new RangeError('safetensors file has no tensor named 0.weight: expected nn.Sequential names 0.weight, 0.bias, 2.weight, …');
  const spec = { inputSize: sizes[0], hidden: sizes.slice(1, -1), classes: sizes[sizes.length - 1] };
  validateSpec(spec);
  return spec;
}

/** Model parameters from safetensors bytes; checks every tensor against `spec` (inferred from the file when omitted). */
export function paramsFromSafetensors(bytes: Uint8Array, spec?: ModelSpec): { spec: ModelSpec; params: ModelParams; metadata: Record<string, string> } {
  const file = decodeSafetensors(bytes);
  const fileSpec = inferSpec(file);
  const want = spec ?? fileSpec;
  const describe = (s: ModelSpec): string => [s.inputSize, ...s.hidden, s.classes].join('-');
  if (describe(want) !== describe(fileSpec)) throw new RangeError(`safetensors file holds a ${describe(fileSpec)} MLP, but the run is ${describe(want)}`);
  const names = torchTensorNames(want);
  const params: ModelParams = layerShapes(want).map((s, l) => {
    const b = file.tensors.get(names[l].bias);
    if (!b) throw new RangeError(`safetensors file lacks ${names[l].bias}`);
    if (b.shape.length !== 1 || b.shape[0] !== s.outFeatures) throw new RangeError(`${names[l].bias} must have shape [${s.outFeatures}], got [${b.shape}]`);
    return { weight: file.tensors.get(names[l].weight)!.data, bias: b.data };
  });
  const expected = new Set(names.flatMap((n) => [n.weight, n.bias]));
  for (const name of file.tensors.keys()) {
    if (!expected.has(name)) throw new RangeError(`safetensors file has an unexpected tensor ${name} (expected only ${[...expected].join(', ')})`);
  }
  return { spec: want, params, metadata: file.metadata };
}
