// Bind-group layouts and compute pipelines, built once per device and kernel from the kernel table.
import { KERNELS, type KernelDef, type KernelName } from './kernels';
import type { KernelVariant } from './kernel_variants';

export interface KernelPipeline {
  def: KernelDef;
  layout: GPUBindGroupLayout;
  pipeline: GPUComputePipeline;
  /** Invocations per workgroup along x and y, as compiled. */
  workgroup: [number, number];
  /** Outputs per invocation as (columns, rows), from the kernel table. */
  block: readonly [number, number];
  /** The pipeline constants it was compiled with (its `override`s: workgroup shape and the caller's). */
  constants: Readonly<Record<string, number>>;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, KernelPipeline>();

  constructor(readonly device: GPUDevice, readonly variant: KernelVariant) {}

  /** The kernel's pipeline; `overrides` sets its shape constants (e.g. dense_backward_narrow's OUT), one pipeline each. */
  get(name: KernelName, overrides: Record<string, number> = {}): KernelPipeline {
    const key = Object.keys(overrides).length ? `${name} ${JSON.stringify(overrides)}` : name;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.build(KERNELS[name], overrides);
      this.pipelines.set(key, p);
    }
    return p;
  }

  private build(def: KernelDef, overrides: Record<string, number>): KernelPipeline {
    const entries: GPUBindGroupLayoutEntry[] = def.bindings.map((kind, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: kind === 'dims' ? { type: 'uniform' }
        : kind === 'write' || kind === 'stepCursor' ? { type: 'storage' } : { type: 'read-only-storage' },
    }));
    const layout = this.device.createBindGroupLayout({ label: def.name, entries });
    const module = this.device.createShaderModule({ label: def.name, code: def.source });
    const v = this.variant;
    let constants: Record<string, number> = {};
    let workgroup: [number, number] = [256, 1];
    if (def.workgroup === 'gemm') {
      constants = { WG_COLS: v.gemmCols, WG_ROWS: v.gemmRows };
      workgroup = [v.gemmCols, v.gemmRows];
    } else if (def.workgroup === 'subgroup') {
      if (!v.subgroupSize) throw new Error(`${def.name} needs a variant with a fixed subgroup size (variant ${v.name} has none)`);
      constants = { SG: v.subgroupSize };
      workgroup = [v.subgroupSize, 1];
    } else if (def.workgroup === 'linear') {
      constants = { WG: v.linear };
      workgroup = [v.linear, 1];
    }
    const all = { ...constants, ...overrides };
    const pipeline = this.device.createComputePipeline({
      label: def.name,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main', constants: all },
    });
    return { def, layout, pipeline, workgroup, block: def.block, constants: all };
  }
}
