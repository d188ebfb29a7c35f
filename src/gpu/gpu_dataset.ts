// A dataset uploaded once and kept compact on the GPU: uint8 features stay 1 byte each (packed 4 per u32).
import type { Dataset } from '../core/dataset';
import type { DatasetHandle } from '../core/trainer';
import { inputWordMasks, type InputWordMasks } from './active_words';
import { uploadBuffer } from './buffers';

export interface GpuDataset {
  handle: DatasetHandle;
  features: GPUBuffer;
  labels: GPUBuffer;
  /** scale (dim) then shift (dim). */
  normalisation: GPUBuffer;
  packedU8: boolean;
  /** Which words of its rows are nonzero (active_words.ts), for the kernels that read the rows as words; else null. */
  inputWords: InputWordMasks | null;
}

export function uploadDataset(device: GPUDevice, ds: Dataset, id: number): GpuDataset {
  const normalisation = new Float32Array(2 * ds.dim);
  normalisation.set(ds.scale);
  normalisation.set(ds.shift, ds.dim);
  return {
    handle: { id, count: ds.count, dim: ds.dim, classes: ds.classes },
    features: uploadBuffer(device, ds.features, `dataset ${id} features`),
    labels: uploadBuffer(device, Uint32Array.from(ds.labels), `dataset ${id} labels`),
    normalisation: uploadBuffer(device, normalisation, `dataset ${id} normalisation`),
    packedU8: ds.features instanceof Uint8Array,
    inputWords: ds.features instanceof Uint8Array && ds.dim % 4 === 0 ? inputWordMasks(ds.features, ds.count, ds.dim, ds.shift) : null,
  };
}

export function destroyDataset(d: GpuDataset): void {
  d.features.destroy();
  d.labels.destroy();
  d.normalisation.destroy();
}
