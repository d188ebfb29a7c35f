// Checkpoint and safetensors: bit-for-bit round trips and validation of damaged files.
import { describe, expect, it } from 'vitest';
import { initParams } from '../../src/core/init';
import { defaultOptimizer } from '../../src/core/optimizer';
import type { ModelParams } from '../../src/core/params';
import type { TrainerState } from '../../src/core/trainer';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointMeta } from '../../src/train/checkpoint';
import { freshProgress } from '../../src/train/run_progress';
import { decodeSafetensors, encodeSafetensors, paramsFromSafetensors } from '../../src/train/safetensors';

const spec = { inputSize: 7, hidden: [5, 3], classes: 4 };
const bits = (p: ModelParams) => p.flatMap((l) => [...new Uint32Array(l.weight.buffer.slice(0)), ...new Uint32Array(l.bias.buffer.slice(0))]);

function awkwardParams(): ModelParams {
  const p = initParams(spec, 11);
  // Values whose bits a lossy path would change: -0, subnormal, huge, NaN payloads are not kept by JSON.
  p[0].weight[0] = -0;
  p[0].weight[1] = 1e-45;
  p[1].bias[0] = 3.4e38;
  return p;
}

describe('safetensors', () => {
  it('round-trips parameters bit for bit with nn.Sequential names and shapes', () => {
    const p = awkwardParams();
    const bytes = encodeSafetensors(spec, p, { decaylab: 'test' });
    const file = decodeSafetensors(bytes);
    expect([...file.tensors.keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    expect(file.tensors.get('2.weight')!.shape).toEqual([3, 5]);
    expect(file.metadata).toEqual({ decaylab: 'test' });
    // Header length is a multiple of 8 so that the data is aligned, as the reference writer does.
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const back = paramsFromSafetensors(bytes);
    expect(back.spec).toEqual(spec);
    expect(bits(back.params)).toEqual(bits(p));
  });

  it('rejects truncated files, wrong dtypes, wrong shapes and unexpected tensors', () => {
    const bytes = encodeSafetensors(spec, awkwardParams());
    expect(() => paramsFromSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(/4\.bias: data_offsets .* do not hold 4 float32 values/);
    expect(() => paramsFromSafetensors(bytes.subarray(0, 20))).toThrow(/runs past the end of the file/);
    expect(() => paramsFromSafetensors(bytes, { inputSize: 7, hidden: [6, 3], classes: 4 })).toThrow(/holds a 7-5-3-4 MLP, but the run is 7-6-3-4/);
    const f16 = encodeFake({ '0.weight': { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] } }, 8);
    expect(() => paramsFromSafetensors(f16)).toThrow(/dtype F16; decaylab reads F32 only/);
    const extra = encodeFake({
      '0.weight': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
      '0.bias': { dtype: 'F32', shape: [2], data_offsets: [24, 32] },
      'head.weight': { dtype: 'F32', shape: [1], data_offsets: [32, 36] },
    }, 36);
    expect(() => paramsFromSafetensors(extra)).toThrow(/unexpected tensor head.weight/);
    const noLinear = encodeFake({ 'fc.weight': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] } }, 24);
    expect(() => paramsFromSafetensors(noLinear)).toThrow(/no tensor named 0.weight/);
  });
});

function encodeFake(header: Record<string, unknown>, dataBytes: number): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  return out;
}

describe('checkpoint', () => {
  const meta = (): CheckpointMeta => ({
    spec,
    optimizer: defaultOptimizer('adamw'),
    decay: { mode: 'decoupled', coefficient: 0.01, decayBiases: false },
    seed: 3,
    progress: { ...freshProgress(), epochsDone: 2, step: 40 },
    extra: { dataset: 'mnist' },
  });
  const state = (): TrainerState => ({ params: awkwardParams(), optimizer: { step: 40, m: initParams(spec, 1), v: initParams(spec, 2) } });

  it('round-trips state and progress bit for bit', () => {
    const s = state();
    const c = decodeCheckpoint(encodeCheckpoint(s, meta()));
    expect(bits(c.state.params)).toEqual(bits(s.params));
    expect(bits(c.state.optimizer.m!)).toEqual(bits(s.optimizer.m!));
    expect(bits(c.state.optimizer.v!)).toEqual(bits(s.optimizer.v!));
    expect(c.state.optimizer.momentum).toBeUndefined();
    expect(c.state.optimizer.step).toBe(40);
    expect(c.meta).toEqual(meta());
  });

  it('rejects other files, other versions, truncation and flipped bytes', () => {
    const bytes = encodeCheckpoint(state(), meta());
    expect(() => decodeCheckpoint(encodeSafetensors(spec, awkwardParams()))).toThrow(/not a decaylab checkpoint: magic is/);
    const v2 = bytes.slice();
    v2[4] = 2;
    expect(() => decodeCheckpoint(v2)).toThrow(/format version 2 is not supported/);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 8))).toThrow(/checksum mismatch/);
    const flipped = bytes.slice();
    flipped[bytes.length - 3] ^= 0x10;
    expect(() => decodeCheckpoint(flipped)).toThrow(/checksum mismatch/);
    expect(() => decodeCheckpoint(bytes.subarray(0, 30))).toThrow(/truncated: header of/);
  });
});
