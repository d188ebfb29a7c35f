// Little-endian float32 ⇄ bytes, independent of the host's byte order, plus a checksum for stored blobs.

export function writeF32LE(target: Uint8Array, offset: number, values: ArrayLike<number>): void {
  const view = new DataView(target.buffer, target.byteOffset + offset, values.length * 4);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
}

export function readF32LE(source: Uint8Array, offset: number, count: number): Float32Array {
  if (offset + count * 4 > source.length) throw new RangeError(`tensor data [${offset}, ${offset + count * 4}) runs past the end of the file (${source.length} bytes)`);
  const view = new DataView(source.buffer, source.byteOffset + offset, count * 4);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** FNV-1a, 32 bits: cheap, and catches truncation and flipped bytes in checkpoints. */
export function fnv1a32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
