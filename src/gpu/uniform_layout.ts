// Packs a WGSL uniform struct of u32/f32 fields (4 bytes each, in declaration order) from named values.

/**
 * A field, with an optional default for fields added later (the model strides of batched sweeps): values may omit
 * those, and get the default (0: a single model, whose offsets need no stride).
 */
export type UniformField = readonly [name: string, type: 'u32' | 'f32', fallback?: number];

/** Bytes of one uniform slot: WebGPU's default minUniformBufferOffsetAlignment, so any slot can be bound by offset. */
export const UNIFORM_SLOT_BYTES = 256;

/** Writes the fields into `view` at byteOffset; every field without a default must be given (a missing one is a bug, not a zero). */
export function packUniform(
  fields: readonly UniformField[], values: Record<string, number>, view: DataView, byteOffset = 0,
): void {
  fields.forEach(([name, type, fallback], i) => {
    const v = values[name] ?? fallback;
    if (v === undefined || !Number.isFinite(v)) throw new RangeError(`uniform field '${name}' is ${v}`);
    if (type === 'u32') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`uniform field '${name}' must be a u32, got ${v}`);
      view.setUint32(byteOffset + 4 * i, v, true);
    } else {
      view.setFloat32(byteOffset + 4 * i, v, true);
    }
  });
}

/** WGSL struct size: fields rounded up to 16 bytes, the uniform address space's alignment. */
export function uniformBytes(fields: readonly UniformField[]): number {
  return Math.ceil((4 * fields.length) / 16) * 16;
}
