// Binding and dispatch helpers shared by the trainer and the kernel tests.
import type { KernelPipeline } from './pipeline_cache';
import { packUniform, uniformBytes, UNIFORM_SLOT_BYTES } from './uniform_layout';

/** Static uniforms of many dispatches in one buffer, one 256-byte slot each; written once when `finish` is called. */
export class UniformArena {
  private readonly chunks: Uint8Array[] = [];
  private buffer: GPUBuffer | null = null;

  constructor(private readonly device: GPUDevice, private readonly label: string) {}

  /** Reserves a slot holding the kernel's dims; returns the binding resource (valid after `finish`). */
  add(kernel: Pick<KernelPipeline, 'def'>, values: Record<string, number>): () => GPUBufferBinding {
    const bytes = new Uint8Array(UNIFORM_SLOT_BYTES);
    packUniform(kernel.def.dims, values, new DataView(bytes.buffer));
    const offset = this.chunks.length * UNIFORM_SLOT_BYTES;
    this.chunks.push(bytes);
    const size = uniformBytes(kernel.def.dims);
    return () => {
      if (!this.buffer) throw new Error(`uniform arena ${this.label} used before finish()`);
      return { buffer: this.buffer, offset, size };
    };
  }

  finish(): GPUBuffer {
    const all = new Uint8Array(Math.max(1, this.chunks.length) * UNIFORM_SLOT_BYTES);
    this.chunks.forEach((c, i) => all.set(c, i * UNIFORM_SLOT_BYTES));
    this.buffer = this.device.createBuffer({ label: this.label, size: all.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(this.buffer, 0, all);
    return this.buffer;
  }
}

/**
 * One bind group for `kernel`: resources in binding order; the dims binding is given as a GPUBufferBinding, the step
 * binding (the whole step buffer: the cursor and every slot, step_uniform.ts) and storage bindings as buffers.
 */
export function bindGroup(
  device: GPUDevice, kernel: KernelPipeline, resources: (GPUBuffer | GPUBufferBinding)[], label?: string,
): GPUBindGroup {
  if (resources.length !== kernel.def.bindings.length) {
    throw new Error(`${kernel.def.name} takes ${kernel.def.bindings.length} bindings, got ${resources.length}`);
  }
  // A GPUBufferBinding has a `buffer` member; a GPUBuffer has none.
  const entries = resources.map((r, binding): GPUBindGroupEntry => ({ binding, resource: 'buffer' in r ? r : { buffer: r as GPUBuffer } }));
  const group = device.createBindGroup({ label: label ?? kernel.def.name, layout: kernel.layout, entries });
  boundResources.set(group, resources);
  return group;
}

/** What each bind group made by bindGroup binds, in binding order: fused_steps.ts rebinds a step's buffers in one group. */
const boundResources = new WeakMap<GPUBindGroup, readonly (GPUBuffer | GPUBufferBinding)[]>();

export function resourcesOf(group: GPUBindGroup): readonly (GPUBuffer | GPUBufferBinding)[] | undefined {
  return boundResources.get(group);
}

/**
 * A dispatch recorded once and replayed every step: pipeline, bind group and workgroup counts. No binding has a
 * dynamic offset: kernels find their step's slot through the GPU-side cursor (step_uniform.ts), because on lavapipe
 * a dispatch with a dynamic offset costs ~86 µs against ~18 µs for a static one.
 */
export interface Dispatch {
  kernel: KernelPipeline;
  group: GPUBindGroup;
  counts: [number, number];
  /** Workgroups along z: the models of a batched sweep (1 when absent). */
  models?: number;
}

export function makeDispatch(kernel: KernelPipeline, group: GPUBindGroup, counts: [number, number], models = 1): Dispatch {
  return { kernel, group, counts, models };
}

export function encodeDispatch(pass: GPUComputePassEncoder, d: Dispatch): void {
  pass.setPipeline(d.kernel.pipeline);
  pass.setBindGroup(0, d.group);
  if (d.counts[0] > 0 && d.counts[1] > 0) pass.dispatchWorkgroups(d.counts[0], d.counts[1], d.models ?? 1);
}

const MAX_GROUPS = 65535;

/** Workgroups for a GEMM output of rows × cols, kernel.block outputs per invocation. */
export function gemmGroups(kernel: KernelPipeline, rows: number, cols: number): [number, number] {
  const [wx, wy] = kernel.workgroup;
  const [bx, by] = kernel.block;
  const counts: [number, number] = [Math.ceil(cols / bx / wx), Math.ceil(rows / by / wy)];
  if (counts[0] > MAX_GROUPS || counts[1] > MAX_GROUPS) throw new RangeError(`${kernel.def.name}: ${rows}×${cols} is too large to dispatch`);
  return counts;
}

/** Workgroups for n elements, folded into 2-D past 65535 groups (the kernels index gid.x + gid.y·groups.x·WG). */
export function linearGroups(kernel: KernelPipeline, n: number): [number, number] {
  const groups = Math.ceil(n / kernel.workgroup[0]);
  if (groups <= MAX_GROUPS) return [groups, 1];
  return [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS)];
}

/**
 * Workgroups for n elements of a grid-stride kernel (sgd_step, adam_step): at most `maxGroups`, each invocation then
 * looping over several elements. lavapipe pays a fixed cost per workgroup that, at 64 invocations of a few loads each,
 * is most of the work (the SGD step of 101 632 weights: 1 588 workgroups, ~1 ms); on GPUs, many groups are cheap.
 */
export function stridedGroups(kernel: KernelPipeline, n: number, maxGroups: number): [number, number] {
  if (!Number.isInteger(maxGroups) || maxGroups < 1) throw new RangeError(`maxGroups must be a positive integer, got ${maxGroups}`);
  const [groups, rows] = linearGroups(kernel, n);
  return groups * rows <= maxGroups ? [groups, rows] : [maxGroups, 1];
}
