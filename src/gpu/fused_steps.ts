// A chunk's training steps as one dispatch on CPU drivers: the step's dispatches (layer 0's forward, the classifier
// head, layer 0's weight gradient with its SGD step, …) become stages of one persistent kernel, whose few workgroups
// (one per CPU thread of the driver) claim each stage's workgroups as items from an atomic counter and wait for the
// stage to be done before the next one starts.
//
// Why: on lavapipe each dispatch hands its workgroups to the driver's worker threads, which sleep between dispatches
// (waking one costs tens of µs on these VMs, docs/bench.md "Keeping the vCPUs awake"), and splits them into one equal
// share per thread up front, so that every dispatch waits for its slowest thread. In one dispatch the threads stay
// busy from the chunk's first step to its last and take the items as they free up. The paper's steps, in-process A/B
// (two trainers alternating 100-step chunks, test/gpu/perf/fused_ab.ts): medians 482 vs 624 and 553 vs 802 µs/step
// on two threads, 881 vs 1084 on one; with another process busy half the time on one core, 775 vs 1371. Only with a
// core fully taken by another process was it slower (1232 vs 1052: a waiting workgroup spins on a core it shares).
//
// Only for CPU drivers (KernelVariant.fusedSteps), because it needs what only they promise in practice:
// - every workgroup that has started keeps running (they are OS threads), so a workgroup may wait for another's items;
//   a workgroup waits only for items already claimed, so it never waits for one that has not started (a driver with
//   fewer threads than workgroups runs the later ones after the first has done everything, and they find no items);
// - a workgroup of one subgroup runs its lanes in lockstep as the SIMD lanes of one thread, so the stages' storage
//   barriers (which order lanes of one workgroup) can go: WGSL forbids barriers under the claim loop's control flow,
//   which its uniformity analysis cannot see is uniform (the claimed item is broadcast from lane 0);
// - atomics that order the plain loads and stores around them: llvmpipe emits WGSL's atomics as sequentially
//   consistent read-modify-writes on x86 (a stage's stores are visible before its done count is), and the wait polls
//   with atomicOr(…, 0) rather than atomicLoad so that no compiler may hoist the poll out of the loop.
// Each stage is its kernel's own source, renamed into the one module (fusedStepsSource), so a fused step computes the
// same arithmetic in the same order as the separate dispatches: test/gpu/fused_steps.test.ts compares them bit for bit.
import stepUniformSource from '../../shaders/step_uniform.wgsl';
import { resourcesOf, type Dispatch } from './dispatch';

type Resource = GPUBuffer | GPUBufferBinding;
type BindingType = 'uniform' | 'storage' | 'read-only-storage';

/** A trainer's fused steps: the subgroup size its kernels were compiled for, and the workgroups of the one dispatch. */
export interface Fusion {
  subgroupSize: number;
  workgroups: number;
}

/** One stage of the fused kernel: a dispatch of the step (its kernel's source, constants, bindings and workgroups). */
export interface FusedStage {
  name: string;
  /** The kernel's WGSL: an `@compute @workgroup_size(SG)` entry point `main` with workgroup_id and subgroup_invocation_id only. */
  source: string;
  constants: Readonly<Record<string, number>>;
  resources: readonly Resource[];
  /** Workgroups along x, y and z (the models of a batched sweep). */
  grid: readonly [number, number, number];
  /**
   * The grid axis along which the stage's items touch disjoint parameters ('x': a forward kernel's output columns,
   * 'y': a weight kernel's output rows), so that each fused workgroup (CPU thread) keeps to its own share of the
   * weights from one step to the next and the weights stay in its core's cache; 'none': one range. Ranges against
   * one range for every stage, in-process A/B: medians 541 vs 650 and 467 vs 491 µs/step.
   */
  affinity: 'x' | 'y' | 'none';
}

/** A binding of the fused kernel: one per distinct buffer (or uniform range) of the stages. */
export interface FusedBinding {
  resource: Resource;
  type: BindingType;
  /** WGSL store type, e.g. array<vec4f>. */
  wgslType: string;
}

/**
 * The most stages a fused kernel takes. llvmpipe compiles a compute shader as one LLVM coroutine, and building its
 * frame grows faster than the code (perf: llvm::coro::buildCoroutineFrame): the paper's three stages compile in ~29 s
 * against ~14 s as separate kernels, but 784-128-16-10's five (two forwards, the head, a narrow backward, layer 0's
 * weight gradient) took 97 s against 19 (fresh Mesa cache, MESA_SHADER_CACHE_DISABLE=true). Deeper networks keep
 * their separate dispatches.
 */
export const MAX_FUSED_STAGES = 3;

/** Why a step cannot be fused, or undefined when it can (the stages of fusedStage). */
export function unfusableReason(dispatches: readonly Dispatch[]): string | undefined {
  if (dispatches.length > MAX_FUSED_STAGES) return `${dispatches.length} dispatches per step (at most ${MAX_FUSED_STAGES} fuse)`;
  for (const d of dispatches) {
    if (d.kernel.def.workgroup !== 'subgroup') return `${d.kernel.def.name} is not a one-subgroup kernel`;
    if (!resourcesOf(d.group)) return `${d.kernel.def.name}'s bind group was not made by bindGroup()`;
  }
  return undefined;
}

export function fusedStage(d: Dispatch, affinity: FusedStage['affinity']): FusedStage {
  return {
    name: d.kernel.def.name, source: d.kernel.def.source, constants: d.kernel.constants,
    resources: resourcesOf(d.group)!, grid: [d.counts[0], d.counts[1], d.models ?? 1], affinity,
  };
}

const DECLARATION = /^@group\(0\) @binding\((\d+)\) var(?:<([^>]+)>)? (\w+): ([^;]+);[ \t]*(?:\/\/.*)?$/gm;

interface Declared { binding: number; access: string; name: string; wgslType: string }

/** The byte range a resource binds, to tell bindings of one buffer apart (uniform slots of one arena buffer). */
function rangeKey(r: Resource): [GPUBuffer, string] {
  return 'buffer' in r ? [r.buffer, `${r.offset ?? 0}+${r.size ?? 'all'}`] : [r, '0+all'];
}

/** `src` with every access `name[i]` rewritten as `name[(i) / 4u][(i) % 4u]`: an array<f32> read as array<vec4f>. */
function asVec4View(src: string, name: string): string {
  if (new RegExp(`arrayLength\\(&${name}\\)`).test(src)) throw new Error(`fused steps: cannot view ${name} as vec4s (arrayLength)`);
  const opening = new RegExp(`(?<![\\w.])${name}\\[`, 'g');
  let out = '';
  let from = 0;
  for (let m = opening.exec(src); m; m = opening.exec(src)) {
    let depth = 1;
    let i = m.index + m[0].length;
    for (; i < src.length && depth > 0; i++) {
      if (src[i] === '[') depth++;
      else if (src[i] === ']') depth--;
    }
    const index = src.slice(m.index + m[0].length, i - 1);
    out += `${src.slice(from, m.index)}${name}[(${index}) / 4u][(${index}) % 4u]`;
    from = i;
    opening.lastIndex = i;
  }
  return out + src.slice(from);
}

const renamed = (src: string, from: string, to: string): string => src.replace(new RegExp(`(?<![\\w.])${from}(?!\\w)`, 'g'), to);

function constantValue(type: string, value: number): string {
  if (type === 'u32') return `${value}u`;
  if (type === 'i32') return `${value}i`;
  if (type === 'f32') return `${value}f`;
  if (type === 'bool') return value !== 0 ? 'true' : 'false';
  throw new Error(`fused steps: pipeline constant of type ${type}`);
}

/**
 * Stage `stage`'s runner: claims the stage's items (the workgroups of its dispatch, grid) until none is left, then
 * waits until every item is done. The items lie in `parts` ranges along one axis of the grid, each with its claim
 * counter at claims + part (the done counter follows them); workgroup wg claims from range wg first, then from the
 * others in turn. One runner per stage, calling its stage directly: a shared runner dispatching on the stage index
 * made the driver inline every stage into every call (3× the code, +115 MB of RSS and 34 s of compiling on lavapipe).
 */
const runStageSource = (stage: number): string => `fn runStage${stage}(claims: u32, grid: vec4u, workgroups: u32, wg: u32, lane: u32) {
  // grid.w: 0 (ranges along x), 1 (along y) or 2 (one range).
  let parts = select(workgroups, 1u, grid.w == 2u);
  let along = select(grid.x, grid.y, grid.w == 1u);
  let across = select(grid.y, grid.x, grid.w == 1u);
  for (var j = 0u; j < parts; j++) {
    let part = (wg + j) % parts;
    let start = part * along / parts;
    let span = (part + 1u) * along / parts - start;
    let count = span * across * grid.z;
    loop {
      var claimed = 0u;
      if (lane == 0u) { claimed = atomicAdd(&fusedSync[claims + part], 1u); }
      let k = subgroupBroadcast(claimed, 0u);
      if (k >= count) { break; }
      let a = start + k % span;
      let b = k / span % across;
      let c = k / (span * across);
      main_${stage}(select(vec3u(a, b, c), vec3u(b, a, c), grid.w == 1u), lane);
      if (lane == 0u) { atomicAdd(&fusedSync[claims + workgroups], 1u); }
    }
  }
  let items = grid.x * grid.y * grid.z;
  loop {
    var done = 0u;
    if (lane == 0u) { done = atomicOr(&fusedSync[claims + workgroups], 0u); }
    if (subgroupBroadcast(done, 0u) >= items) { break; }
  }
}
`;

/**
 * The fused kernel's WGSL and its bindings: each stage's module-scope names suffixed by its index, its bindings
 * replaced by one per distinct buffer (a buffer some stages read as array<f32> and others as array<vec4f> becomes
 * array<vec4f>), its pipeline constants made consts, its entry point a function of (wid, lane), and a `main` that runs
 * `steps` steps (the sync buffer's first word; then, per step and stage, a claim counter per workgroup's range and a
 * done counter, zeroed per chunk: syncWords).
 */
export function fusedStepsSource(stages: readonly FusedStage[], subgroupSize: number): { code: string; bindings: FusedBinding[] } {
  const bodies = stages.map((s) => s.source.replace(stepUniformSource, ''));
  // Each stage's module-scope names (structs, functions, constants, its pipeline constants), suffixed by its index.
  const moduleNames = bodies.map((src) => [...src.replace(DECLARATION, '').matchAll(/^(?:struct|fn|const|override) (\w+)/gm)].map((m) => m[1]));
  const withSuffixes = (src: string, stage: number): string =>
    moduleNames[stage].reduce((out, name) => renamed(out, name, `${name}_${stage}`), src);
  const declared: Declared[][] = bodies.map((src) => [...src.matchAll(DECLARATION)].map((m) => ({
    binding: Number(m[1]), access: m[2] ?? '', name: m[3], wgslType: m[4].trim(),
  })));
  // One binding per distinct range; its type read_write where any stage writes it.
  const bindings: FusedBinding[] = [];
  const byRange = new Map<GPUBuffer, Map<string, number>>();
  const slotOf = declared.map((decls, stage) => decls.map((d) => {
    const resource = stages[stage].resources[d.binding];
    if (!resource) throw new Error(`fused steps: ${stages[stage].name} declares binding ${d.binding} but binds no resource there`);
    const type: BindingType = d.access === 'uniform' ? 'uniform' : d.access.includes('read_write') ? 'storage' : 'read-only-storage';
    const [buffer, range] = rangeKey(resource);
    const ranges = byRange.get(buffer) ?? new Map<string, number>();
    byRange.set(buffer, ranges);
    let slot = ranges.get(range);
    if (slot === undefined) {
      slot = bindings.length;
      ranges.set(range, slot);
      bindings.push({ resource, type, wgslType: withSuffixes(d.wgslType, stage) });
    }
    const b = bindings[slot];
    if ((b.type === 'uniform') !== (type === 'uniform')) throw new Error(`fused steps: ${stages[stage].name} binds a uniform buffer as storage`);
    if (type === 'storage') b.type = 'storage';
    const wgslType = withSuffixes(d.wgslType, stage);
    if (b.wgslType !== wgslType) {
      const pair = new Set([b.wgslType, wgslType]);
      if (!(pair.size === 2 && pair.has('array<f32>') && pair.has('array<vec4f>'))) {
        throw new Error(`fused steps: one buffer bound as ${b.wgslType} and ${wgslType}`);
      }
      b.wgslType = 'array<vec4f>';
    }
    return slot;
  }));
  if (byRange.size !== bindings.length) {
    // Two ranges of one storage buffer would alias (WebGPU forbids a writable alias); uniform ranges are read-only.
    for (const [, ranges] of byRange) {
      if (ranges.size > 1 && [...ranges.values()].some((s) => bindings[s].type !== 'uniform')) {
        throw new Error('fused steps: two ranges of one storage buffer');
      }
    }
  }

  const stageSources = bodies.map((body, i) => {
    let src = body.replace(/^enable \w+;$/gm, '').replace(DECLARATION, '');
    if (/workgroupBarrier|workgroupUniformLoad|var<workgroup>/.test(src)) throw new Error(`fused steps: ${stages[i].name} uses workgroup memory or barriers`);
    // One subgroup in lockstep: its storage barriers order nothing the SIMD lanes of one thread do not (see the header).
    src = src.replace(/storageBarrier\(\);/g, '');
    declared[i].forEach((d, j) => {
      if (d.wgslType === 'array<f32>' && bindings[slotOf[i][j]].wgslType === 'array<vec4f>') src = asVec4View(src, d.name);
    });
    const entry = /@compute @workgroup_size\(SG\)\s*fn main\(([^{]*)\)\s*\{/.exec(src);
    if (!entry) throw new Error(`fused steps: ${stages[i].name} has no @workgroup_size(SG) entry point main`);
    const params = [...entry[1].matchAll(/@builtin\((\w+)\) (\w+): (\w+)/g)];
    const names: Record<string, string> = { workgroup_id: `unusedWid${i}`, subgroup_invocation_id: `unusedLane${i}` };
    for (const [, builtin, name] of params) {
      if (!(builtin in names)) throw new Error(`fused steps: ${stages[i].name} reads @builtin(${builtin})`);
      names[builtin] = name;
    }
    src = src.replace(entry[0], `fn main(${names.workgroup_id}: vec3u, ${names.subgroup_invocation_id}: u32) {`);
    src = src.replace(/^override (\w+): (\w+)(?: = ([^;]+))?;$/gm, (_, name: string, type: string, fallback?: string) => {
      const value = name === 'SG' ? subgroupSize : stages[i].constants[name];
      if (value === undefined && fallback === undefined) throw new Error(`fused steps: ${stages[i].name} leaves ${name} unset`);
      return `const ${name}: ${type} = ${value === undefined ? fallback : constantValue(type, value)};`;
    });
    src = withSuffixes(src, i);
    declared[i].forEach((d, j) => { src = renamed(src, d.name, `binding${slotOf[i][j]}`); });
    return `// Stage ${i}: ${stages[i].name}\n${src.trim()}`;
  });

  const sync = bindings.length;
  const declarations = bindings.map((b, slot) => (b.type === 'uniform'
    ? `@group(0) @binding(${slot}) var<uniform> binding${slot}: ${b.wgslType};`
    : `@group(0) @binding(${slot}) var<storage, ${b.type === 'storage' ? 'read_write' : 'read'}> binding${slot}: ${b.wgslType};`));
  const stageRuns = stages.map((_, i) => `    runStage${i}(first + ${i}u * stride, fusedGrids[${i}], workgroups, wg.x, lane);`);
  const code = `// Generated by src/gpu/fused_steps.ts: ${stages.map((s) => s.name).join(', ')} as the stages of one persistent kernel.
enable subgroups;
diagnostic(off, subgroup_uniformity);
${stepUniformSource}
${declarations.join('\n')}
@group(0) @binding(${sync}) var<storage, read_write> fusedSync: array<atomic<u32>>;
// Per stage: its grid (workgroups along x, y, z) and w, how its items split into ranges (gridWords).
@group(0) @binding(${sync + 1}) var<uniform> fusedGrids: array<vec4u, ${stages.length}>;

@compute @workgroup_size(${subgroupSize})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  // Each stage's counters per step: a claim counter per workgroup's range, then the done counter.
  let workgroups = groups.x;
  let stride = workgroups + 1u;
  let steps = subgroupBroadcast(atomicLoad(&fusedSync[0]), 0u);
  for (var s = 0u; s < steps; s++) {
    let first = 1u + s * ${stages.length}u * stride;
${stageRuns.join('\n')}
  }
}

${stages.map((_, i) => runStageSource(i)).join('\n')}
${stageSources.join('\n\n')}
`;
  return { code, bindings };
}

/**
 * Workgroups of a fused dispatch: one per CPU thread, which is how many threads a CPU driver runs a dispatch on by
 * default (lavapipe: one per core; LP_NUM_THREADS may say otherwise: fewer threads leave the later workgroups nothing
 * to do, more leave threads idle).
 */
export function fusedWorkgroups(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Number.isInteger(cores) && cores! > 0 ? cores! : 2;
}

/**
 * The fused kernel's fusedGrids: per stage its workgroups along x, y, z and how its items split into ranges (0: along
 * x, 1: along y, 2: one range). Data rather than constants, so that one compiled kernel serves every batch size,
 * sweep size and workgroup count of a network (llvmpipe takes ~25 s to compile the paper's).
 */
export function gridWords(stages: readonly FusedStage[]): Uint32Array<ArrayBuffer> {
  return Uint32Array.from(stages.flatMap((s) => [...s.grid, s.affinity === 'x' ? 0 : s.affinity === 'y' ? 1 : 2]));
}

/** Words of a sync buffer for `capacity` steps of `stages` stages: the step count, then claim and done per stage and step. */
export const syncWords = (stages: number, parts: number, capacity: number): number => 1 + (parts + 1) * stages * capacity;

/** A step's dispatches fused into one pipeline with its bind group and sync buffer, for chunks of up to `capacity` steps. */
/**
 * Why the fused kernel of `bindings` (fusedStepsSource's, plus the sync and grid buffers) does not fit the device's
 * limits, or undefined. Browsers expose fewer storage buffers per stage than Dawn in Node (Chromium: 10; the paper's
 * step needs 12), and there the step keeps its separate dispatches.
 */
export function limitsReason(bindings: readonly FusedBinding[], limits: GPUSupportedLimits): string | undefined {
  const storage = bindings.filter((b) => b.type !== 'uniform').length + 1;
  const uniform = bindings.length + 2 - storage;
  if (storage > limits.maxStorageBuffersPerShaderStage) return `${storage} storage buffers (the device allows ${limits.maxStorageBuffersPerShaderStage})`;
  if (uniform > limits.maxUniformBuffersPerShaderStage) return `${uniform} uniform buffers (the device allows ${limits.maxUniformBuffersPerShaderStage})`;
  return undefined;
}

/** A step's dispatches fused into one pipeline with its bind group and sync buffer, for chunks of up to `capacity` steps. */
export class FusedSteps {
  /**
   * Settles when the pipeline has been built, after which encode() fuses, or has failed to build (a warning says why),
   * after which encode() declines and the caller encodes the separate dispatches. Never rejects.
   */
  readonly ready: Promise<void>;
  private pipeline: GPUComputePipeline | null = null;
  private readonly group: GPUBindGroup;
  private readonly sync: GPUBuffer;
  private readonly grids: GPUBuffer;
  private readonly workgroups: number;

  /** The fused steps of `stages`, or null where they do not fit the device's limits (limitsReason). */
  static build(device: GPUDevice, stages: readonly FusedStage[], fusion: Fusion, capacity: number, label: string): FusedSteps | null {
    const { code, bindings } = fusedStepsSource(stages, fusion.subgroupSize);
    return limitsReason(bindings, device.limits) === undefined ? new FusedSteps(device, stages, fusion, capacity, label, code, bindings) : null;
  }

  private constructor(
    private readonly device: GPUDevice, private readonly stages: readonly FusedStage[], fusion: Fusion,
    private readonly capacity: number, label: string, code: string, bindings: readonly FusedBinding[],
  ) {
    this.workgroups = fusion.workgroups;
    this.sync = device.createBuffer({ label: `${label} sync`, size: 4 * syncWords(stages.length, fusion.workgroups, capacity), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.grids = device.createBuffer({ label: `${label} grids`, size: 16 * stages.length, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(this.grids, 0, gridWords(stages));
    const types: BindingType[] = [...bindings.map((b) => b.type), 'storage', 'uniform'];
    const entries = types.map((type, binding): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } }));
    device.pushErrorScope('validation');
    const layout = device.createBindGroupLayout({ label, entries });
    const resources = [...bindings.map((b) => b.resource), this.sync, this.grids];
    this.group = device.createBindGroup({
      label, layout, entries: resources.map((r, binding) => ({ binding, resource: 'buffer' in r ? r : { buffer: r } })),
    });
    const pipeline = device.createComputePipelineAsync({
      label, layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module: device.createShaderModule({ label, code }), entryPoint: 'main' },
    });
    const scope = device.popErrorScope();
    this.ready = Promise.all([scope, pipeline]).then(([error, built]) => {
      if (error) throw new Error(error.message);
      this.pipeline = built;
    }).catch((e: unknown) => {
      console.warn(`decaylab: the fused training step (${label}) did not build, so its chunks run as separate dispatches: ${(e as Error).message}`);
    });
  }

  /**
   * Queues the sync words of a chunk of `steps` steps (before its submit) and encodes its one dispatch; false, encoding
   * nothing, while the pipeline is not built (ready).
   */
  encode(pass: GPUComputePassEncoder, steps: number): boolean {
    if (!this.pipeline) return false;
    if (!Number.isInteger(steps) || steps < 1 || steps > this.capacity) throw new RangeError(`fused steps: ${steps} steps do not fit ${this.capacity}`);
    const words = new Uint32Array(syncWords(this.stages.length, this.workgroups, steps));
    words[0] = steps;
    this.device.queue.writeBuffer(this.sync, 0, words);
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.group);
    pass.dispatchWorkgroups(this.workgroups);
    return true;
  }

  destroy(): void {
    this.sync.destroy();
    this.grids.destroy();
  }
}
