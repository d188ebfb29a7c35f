// What the u8-input GEMM kernels bind after the normalisation (gemm_codegen.ts GemmInput 'u8'): step slots and sample
// indices naming the dataset's first `batch` rows, in order, and lists of every word (a kernel's figure is its dense
// cost), with the cursor where the kernel's role reads its slot.
import { packStepSlots, createStepBuffer, writeStepSlots } from '../../src/gpu/step_uniform';
import { uploadBuffer } from '../../src/gpu/buffers';
import { defaultOptimizer } from '../../src/core/optimizer';
import { activeListLength, writeAllWords } from '../../src/gpu/active_words';

/**
 * [step slots, indices] for one batch of the rows 0 … batch − 1: the forward kernel runs before a batch's loss and reads
 * the slot at the cursor (0), the weight gradient after it, the slot before the cursor (1). The caller destroys them.
 */
export function firstRowsBindings(device: GPUDevice, batch: number, dim: number, role: 'forward' | 'backwardWeight'): GPUBuffer[] {
  // The batch's list and one per row group (active_words.ts batchListsLength), for groups of any size down to 1 row.
  const lists = 1 + batch;
  const data = new Uint32Array(batch + lists * activeListLength(dim / 4));
  for (let i = 0; i < batch; i++) data[i] = i;
  for (let l = 0; l < lists; l++) writeAllWords(dim / 4, data, batch + l * activeListLength(dim / 4));
  const slots = packStepSlots([{ lr: 0, t: 0, slot: 0, indexOffset: 0, activeOffset: batch }], defaultOptimizer('sgd'),
    { mode: 'l2', coefficient: 0, decayBiases: false });
  const step = createStepBuffer(device, 2, 'first rows step slots');
  writeStepSlots(device, step, slots, role === 'forward' ? 0 : 1);
  return [step, uploadBuffer(device, data, 'first rows indices')];
}
