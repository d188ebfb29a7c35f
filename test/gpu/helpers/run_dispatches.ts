// Runs several kernels in turn over the same storage buffers, each dispatched for `models` models along z (a batched
// sweep), and reads every storage buffer back: for kernels whose effect spans dispatches (weights, then biases).
import { createStorageBuffer, readBuffers, uniformBuffer, writeBytes } from '../../../src/gpu/buffers';
import { bindGroup, encodeDispatch, makeDispatch } from '../../../src/gpu/dispatch';
import { KERNELS, type KernelName } from '../../../src/gpu/kernels';
import type { KernelPipeline, PipelineCache } from '../../../src/gpu/pipeline_cache';
import { createStepBuffer, writeStepSlots } from '../../../src/gpu/step_uniform';
import { packUniform, uniformBytes, UNIFORM_SLOT_BYTES } from '../../../src/gpu/uniform_layout';

export interface KernelRun {
  name: KernelName;
  dims: Record<string, number>;
  counts: (k: KernelPipeline) => [number, number];
}

/**
 * `storage`: the initial contents of the storage buffers, bound in this order to every kernel's storage bindings;
 * `step`: packed step slots (packStepSlots) of which the kernels read slot 0 (so the cursor is at 1 for
 * 'stepAfterLoss' kernels, see kernels.ts BindingKind; all runs must read the step the same way). Returns the storage
 * buffers' bytes after all runs.
 */
export async function runDispatches(
  cache: PipelineCache, runs: KernelRun[], storage: ArrayBufferView[], step: Uint8Array<ArrayBuffer>, models = 1,
): Promise<ArrayBuffer[]> {
  const device = cache.device;
  const stepKinds = new Set(runs.flatMap((r) => KERNELS[r.name].bindings.filter((k) => k === 'step' || k === 'stepAfterLoss')));
  if (stepKinds.size > 1) throw new Error('runDispatches: kernels reading the slot at the cursor and before it cannot share a cursor');
  const stepBuffer = createStepBuffer(device, step.byteLength / UNIFORM_SLOT_BYTES + 1, 'step slots');
  writeStepSlots(device, stepBuffer, step, stepKinds.has('stepAfterLoss') ? 1 : 0);
  const buffers = storage.map((s, i) => {
    const b = createStorageBuffer(device, s.byteLength, `binding ${i}`);
    writeBytes(device, b, 0, s);
    return { buffer: b, bytes: s.byteLength };
  });
  const dimBuffers: GPUBuffer[] = [];
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (const run of runs) {
    const kernel = cache.get(run.name);
    const bytes = new Uint8Array(uniformBytes(KERNELS[run.name].dims));
    packUniform(KERNELS[run.name].dims, run.dims, new DataView(bytes.buffer));
    const dims = uniformBuffer(device, bytes, `${run.name} dims`);
    dimBuffers.push(dims);
    let next = 0;
    const resources = KERNELS[run.name].bindings.map((kind) => (kind === 'dims' ? dims : kind === 'step' || kind === 'stepAfterLoss' ? stepBuffer : buffers[next++].buffer));
    encodeDispatch(pass, makeDispatch(kernel, bindGroup(device, kernel, resources), run.counts(kernel), models));
  }
  pass.end();
  const out = await readBuffers(device, buffers.map((b) => ({ buffer: b.buffer, bytes: b.bytes })), encoder);
  for (const b of [...buffers.map((x) => x.buffer), ...dimBuffers, stepBuffer]) b.destroy();
  return out;
}
