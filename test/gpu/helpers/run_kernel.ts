// Runs one kernel once on given inputs and reads every storage binding back: the GPU side of each twin test.
import { createStorageBuffer, readBuffers, uniformBuffer, writeBytes } from '../../../src/gpu/buffers';
import { KERNELS, type KernelName } from '../../../src/gpu/kernels';
import { PipelineCache } from '../../../src/gpu/pipeline_cache';
import { packUniform, uniformBytes } from '../../../src/gpu/uniform_layout';
import { bindGroup, encodeDispatch, makeDispatch } from '../../../src/gpu/dispatch';
import { createStepBuffer, STEP_SLOTS_OFFSET, writeStepSlots } from '../../../src/gpu/step_uniform';
import { UNIFORM_SLOT_BYTES } from '../../../src/gpu/uniform_layout';

/**
 * `storage` lists the contents of the storage bindings in binding order (a number means an output of that many
 * 4-byte elements, zero-filled); `step` is the packed step slots (packStepSlots) for kernels that bind them, of which
 * the kernel reads slot `stepCursor` (the helper sets the cursor one further for a 'stepAfterLoss' kernel, which reads
 * the slot before it, see kernels.ts BindingKind).
 * `models` dispatches that many along z (a batched sweep's stacked models); `overrides` sets pipeline constants.
 * Returns the storage bindings' bytes after the dispatch, in the same order, then for a 'stepCursor' kernel the step
 * buffer's (its first u32 is the cursor).
 */
export async function runKernel(
  cache: PipelineCache, name: KernelName, dims: Record<string, number>,
  storage: (ArrayBufferView | number)[], counts: (k: ReturnType<PipelineCache['get']>) => [number, number],
  step?: Uint8Array<ArrayBuffer>, stepCursor = 0, models = 1, overrides: Record<string, number> = {},
): Promise<ArrayBuffer[]> {
  const device = cache.device;
  const kernel = cache.get(name, overrides);
  const dimBytes = new Uint8Array(uniformBytes(KERNELS[name].dims));
  packUniform(KERNELS[name].dims, dims, new DataView(dimBytes.buffer));
  const dimBuffer = uniformBuffer(device, dimBytes, `${name} dims`);
  const kinds = KERNELS[name].bindings as readonly string[];
  // One slot more than given: room for the cursor past the last slot that a 'stepAfterLoss' kernel reads.
  const stepBuffer = step ? createStepBuffer(device, step.byteLength / UNIFORM_SLOT_BYTES + 1, `${name} step`) : null;
  if (stepBuffer) writeStepSlots(device, stepBuffer, step!, kinds.includes('stepAfterLoss') ? stepCursor + 1 : stepCursor);
  const buffers = storage.map((s, i) => {
    const bytes = typeof s === 'number' ? s * 4 : s.byteLength;
    const b = createStorageBuffer(device, bytes, `${name} binding ${i}`);
    if (typeof s !== 'number') writeBytes(device, b, 0, s);
    return { buffer: b, bytes };
  });
  let next = 0;
  const resources = KERNELS[name].bindings.map((kind) => {
    if (kind === 'dims') return dimBuffer;
    if (kind === 'step' || kind === 'stepCursor' || kind === 'stepAfterLoss') {
      if (!stepBuffer) throw new Error(`${name} needs a step slot`);
      return stepBuffer;
    }
    return buffers[next++].buffer;
  });
  const d = makeDispatch(kernel, bindGroup(device, kernel, resources), counts(kernel), models);
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  encodeDispatch(pass, d);
  pass.end();
  const reads = buffers.map((b) => ({ buffer: b.buffer, bytes: b.bytes }));
  if (stepBuffer && kinds.includes('stepCursor')) reads.push({ buffer: stepBuffer, bytes: step!.byteLength + STEP_SLOTS_OFFSET });
  const out = await readBuffers(device, reads, encoder);
  for (const b of buffers) b.buffer.destroy();
  dimBuffer.destroy();
  stepBuffer?.destroy();
  return out;
}
