// Buffer helpers: storage buffers of a minimum legal size, uploads, and read-backs through a staging buffer.
import { awaitGpu, sleep } from './idle_wait';

// A function, not a constant: in Node the GPU* globals exist only once the `webgpu` package has been set up.
export const storageUsage = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** A storage buffer of at least `bytes` (rounded up to 16: bindings of runtime-sized arrays must not be empty). */
export function createStorageBuffer(device: GPUDevice, bytes: number, label: string): GPUBuffer {
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (size > device.limits.maxStorageBufferBindingSize) {
    throw new RangeError(
      `${label} needs ${size} bytes, over this device's maxStorageBufferBindingSize of ${device.limits.maxStorageBufferBindingSize}`,
    );
  }
  return device.createBuffer({ label, size, usage: storageUsage() });
}

/** A storage buffer holding `data` (its bytes, zero-padded to a multiple of 4). */
export function uploadBuffer(device: GPUDevice, data: ArrayBufferView, label: string): GPUBuffer {
  const buffer = createStorageBuffer(device, data.byteLength, label);
  writeBytes(device, buffer, 0, data);
  return buffer;
}

/** queue.writeBuffer wants a multiple of 4 bytes: a ragged tail (uint8 features) is copied into a padded array. */
export function writeBytes(device: GPUDevice, buffer: GPUBuffer, byteOffset: number, data: ArrayBufferView): void {
  // Our arrays are never backed by a SharedArrayBuffer.
  const src = new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  const padded = src.byteLength % 4 === 0 ? src : (() => {
    const p = new Uint8Array(Math.ceil(src.byteLength / 4) * 4);
    p.set(src);
    return p;
  })();
  if (padded.byteLength > 0) device.queue.writeBuffer(buffer, byteOffset, padded);
}

/** A uniform buffer with the given bytes. */
export function uniformBuffer(device: GPUDevice, bytes: Uint8Array<ArrayBuffer>, label: string): GPUBuffer {
  const buffer = device.createBuffer({ label, size: Math.max(16, bytes.byteLength), usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, bytes);
  return buffer;
}

/**
 * Staging buffers for read-backs, reused by size class: a fresh MAP_READ buffer per chunk would make the driver map
 * new memory every time (on lavapipe, mappings that linger until garbage collection).
 */
const stagingPools = new WeakMap<GPUDevice, Map<number, GPUBuffer[]>>();

function takeStaging(device: GPUDevice, bytes: number): GPUBuffer {
  const size = 2 ** Math.ceil(Math.log2(Math.max(bytes, 256)));
  let pool = stagingPools.get(device);
  if (!pool) {
    pool = new Map();
    stagingPools.set(device, pool);
  }
  const free = pool.get(size);
  return free?.pop() ?? device.createBuffer({ label: `staging ${size}`, size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
}

function returnStaging(device: GPUDevice, buffer: GPUBuffer): void {
  if (buffer.mapState === 'mapped') buffer.unmap();
  const pool = stagingPools.get(device)!;
  const free = pool.get(buffer.size) ?? [];
  free.push(buffer);
  pool.set(buffer.size, free);
}

/**
 * Copies [byteOffset, byteOffset + bytes) of each source into staging buffers at the end of `encoder` (or of a new
 * one), submits, and returns the bytes; after sleeping `idleMs` before mapping them, and mapping them through the
 * host's waiter (idle_wait.ts says why for both).
 */
export async function readBuffers(
  device: GPUDevice, sources: { buffer: GPUBuffer; byteOffset?: number; bytes: number }[], encoder?: GPUCommandEncoder,
  idleMs = 0,
): Promise<ArrayBuffer[]> {
  const enc = encoder ?? device.createCommandEncoder();
  const staging = sources.map((s) => {
    const size = Math.ceil(Math.max(s.bytes, 4) / 4) * 4;
    const b = takeStaging(device, size);
    enc.copyBufferToBuffer(s.buffer, s.byteOffset ?? 0, b, 0, size);
    return b;
  });
  device.queue.submit([enc.finish()]);
  try {
    if (idleMs > 0) await sleep(idleMs);
    await awaitGpu(device, Promise.all(staging.map((b) => b.mapAsync(GPUMapMode.READ))));
    return staging.map((b, i) => b.getMappedRange(0, Math.ceil(Math.max(sources[i].bytes, 4) / 4) * 4).slice(0, sources[i].bytes));
  } finally {
    // A device lost mid-read leaves nothing worth pooling.
    for (const b of staging) returnStaging(device, b);
  }
}

export async function readFloat32(device: GPUDevice, buffer: GPUBuffer, count: number, byteOffset = 0): Promise<Float32Array> {
  const [bytes] = await readBuffers(device, [{ buffer, byteOffset, bytes: count * 4 }]);
  return new Float32Array(bytes);
}
