// Checkpoints: trainer state (parameters + optimizer state) and run progress ⇄ bytes, versioned and validated on load.
//
// Format, version 1 (all integers little-endian):
//   bytes 0–3    ASCII "DLCK"
//   bytes 4–7    u32 format version (1)
//   bytes 8–11   u32 H, byte length of the JSON header
//   bytes 12–15  u32 FNV-1a checksum of everything after byte 16 (header + padding + data)
//   bytes 16…    H bytes of UTF-8 JSON (CheckpointHeader), then zero padding to a multiple of 4
//   then         float32 little-endian tensor data; header.tensors gives each tensor's name, offset (bytes,
//                from the start of the data) and length (values). Names: params.<l>.weight|bias,
//                momentum.<l>.…, m.<l>.…, v.<l>.… for layer l.
import { assertParamsMatch, type ModelParams } from '../core/params';
import type { DecayConfig, OptimizerConfig } from '../core/optimizer';
import { validateSpec, type ModelSpec } from '../core/spec';
import type { OptimizerState, TrainerState } from '../core/trainer';
import type { RunProgress } from './run_progress';
import { fnv1a32, readF32LE, writeF32LE } from './tensor_bytes';

export const CHECKPOINT_MAGIC = 'DLCK';
export const CHECKPOINT_VERSION = 1;
const PREAMBLE = 16;

/** What a checkpoint says about its run, besides the tensors. */
export interface CheckpointMeta {
  spec: ModelSpec;
  optimizer: OptimizerConfig;
  decay: DecayConfig;
  seed: number;
  progress: RunProgress;
  /** Caller-defined JSON (the CLI stores its run config: dataset, batch size, schedule…). */
  extra?: Record<string, unknown>;
}

interface TensorEntry {
  name: string;
  offset: number;
  length: number;
}

interface CheckpointHeader extends CheckpointMeta {
  optimizerStep: number;
  tensors: TensorEntry[];
}

export interface Checkpoint {
  meta: CheckpointMeta;
  state: TrainerState;
}

const STATE_GROUPS = ['momentum', 'm', 'v'] as const;

function namedTensors(state: TrainerState): { name: string; data: Float32Array }[] {
  const out: { name: string; data: Float32Array }[] = [];
  const add = (group: string, p: ModelParams | undefined): void => {
    p?.forEach((l, i) => {
      out.push({ name: `${group}.${i}.weight`, data: l.weight });
      out.push({ name: `${group}.${i}.bias`, data: l.bias });
    });
  };
  add('params', state.params);
  for (const g of STATE_GROUPS) add(g, state.optimizer[g]);
  return out;
}

export function encodeCheckpoint(state: TrainerState, meta: CheckpointMeta): Uint8Array {
  assertParamsMatch(meta.spec, state.params);
  const tensors = namedTensors(state);
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    entries.push({ name: t.name, offset, length: t.data.length });
    offset += t.data.length * 4;
  }
  const header: CheckpointHeader = { ...meta, optimizerStep: state.optimizer.step, tensors: entries };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = PREAMBLE + Math.ceil(headerBytes.length / 4) * 4;
  const bytes = new Uint8Array(dataStart + offset);
  bytes.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, CHECKPOINT_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  bytes.set(headerBytes, PREAMBLE);
  tensors.forEach((t, i) => writeF32LE(bytes, dataStart + entries[i].offset, t.data));
  view.setUint32(12, fnv1a32(bytes.subarray(PREAMBLE)), true);
  return bytes;
}

export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  if (bytes.length < PREAMBLE) throw new RangeError(`not a decaylab checkpoint: ${bytes.length} bytes is shorter than the ${PREAMBLE}-byte preamble`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== CHECKPOINT_MAGIC) throw new RangeError(`not a decaylab checkpoint: magic is ${JSON.stringify(magic)}, expected "${CHECKPOINT_MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== CHECKPOINT_VERSION) throw new RangeError(`checkpoint format version ${version} is not supported (this build reads version ${CHECKPOINT_VERSION})`);
  const headerLength = view.getUint32(8, true);
  if (PREAMBLE + headerLength > bytes.length) throw new RangeError(`checkpoint is truncated: header of ${headerLength} bytes runs past the end of the file (${bytes.length} bytes)`);
  const checksum = fnv1a32(bytes.subarray(PREAMBLE));
  if (checksum !== view.getUint32(12, true)) throw new RangeError('checkpoint is corrupt or truncated: checksum mismatch');
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength))) as CheckpointHeader;
  } catch (e) {
    throw new RangeError(`checkpoint header is not valid JSON: ${(e as Error).message}`);
  }
  if (!header || typeof header !== 'object' || !Array.isArray(header.tensors) || !header.spec || !header.progress) {
    throw new RangeError('checkpoint header lacks spec, progress or tensors');
  }
  validateSpec(header.spec);
  const dataStart = PREAMBLE + Math.ceil(headerLength / 4) * 4;
  const found = new Map<string, Float32Array>();
  for (const t of header.tensors) {
    if (typeof t.name !== 'string' || !Number.isInteger(t.offset) || !Number.isInteger(t.length) || t.offset < 0 || t.length < 0 || t.offset % 4 !== 0) {
      throw new RangeError(`checkpoint tensor entry is malformed: ${JSON.stringify(t)}`);
    }
    found.set(t.name, readF32LE(bytes, dataStart + t.offset, t.length));
  }
  const group = (g: string, required: boolean): ModelParams | undefined => {
    const layers: ModelParams = [];
    for (let l = 0; found.has(`${g}.${l}.weight`); l++) {
      const bias = found.get(`${g}.${l}.bias`);
      if (!bias) throw new RangeError(`checkpoint has ${g}.${l}.weight but no ${g}.${l}.bias`);
      layers.push({ weight: found.get(`${g}.${l}.weight`)!, bias });
    }
    if (layers.length === 0) {
      if (required) throw new RangeError(`checkpoint has no ${g} tensors`);
      return undefined;
    }
    try {
      assertParamsMatch(header.spec, layers);
    } catch (e) {
      throw new RangeError(`checkpoint ${g} tensors do not match its model spec: ${(e as Error).message}`);
    }
    return layers;
  };
  const optimizer: OptimizerState = { step: header.optimizerStep };
  for (const g of STATE_GROUPS) {
    const p = group(g, false);
    if (p) optimizer[g] = p;
  }
  const { optimizerStep: _s, tensors: _t, ...meta } = header;
  return { meta, state: { params: group('params', true)!, optimizer } };
}
