// Which engine a command gets when it names none (src/node/engine.ts): the GPU engine on a hardware adapter; on a
// software one only for a batched sweep on lavapipe with subgroups, where it was measured faster than the CPU engine.
import { afterEach, describe, expect, it } from 'vitest';
import { gpuEngineFits, openEngine, type Engine } from '../../src/node/engine';
import { createGpuEngine } from '../../src/node/gpu_engine';

describe('gpuEngineFits', () => {
  it('takes a hardware adapter for any workload', () => {
    expect(gpuEngineFits({ software: false }, { batchedRuns: 1 })).toBe(true);
    expect(gpuEngineFits({ software: false }, { batchedRuns: 5 })).toBe(true);
  });

  it('takes lavapipe with subgroups only for batched runs', () => {
    expect(gpuEngineFits({ software: true, lavapipeSubgroups: true }, { batchedRuns: 5 })).toBe(true);
    expect(gpuEngineFits({ software: true, lavapipeSubgroups: true }, { batchedRuns: 2 })).toBe(true);
    expect(gpuEngineFits({ software: true, lavapipeSubgroups: true }, { batchedRuns: 1 })).toBe(false);
  });

  it('leaves other CPU drivers to the CPU engine', () => {
    expect(gpuEngineFits({ software: true, lavapipeSubgroups: false }, { batchedRuns: 5 })).toBe(false);
    expect(gpuEngineFits({ software: true }, { batchedRuns: 13 })).toBe(false);
  });
});

describe('openEngine on this machine', () => {
  let opened: Engine | undefined;
  afterEach(() => opened?.close());

  it('gives a 5-run sweep the GPU engine and a single run the CPU engine on lavapipe (both the GPU on hardware)', async () => {
    const probe = await createGpuEngine();
    const { software, lavapipeSubgroups } = probe;
    probe.close();
    if (software && !lavapipeSubgroups) {
      throw new Error(`this test expects lavapipe with subgroups (.ci/run installs it) or a hardware adapter, got ${probe.description}`);
    }
    const notes: string[] = [];
    opened = await openEngine(undefined, (l) => notes.push(l), { batchedRuns: 5 });
    expect(opened.kind).toBe('gpu');
    if (software) expect(notes.join('\n')).toMatch(/5 runs train batched on it/);
    opened.close();
    opened = await openEngine(undefined, (l) => notes.push(l), { batchedRuns: 1 });
    expect(opened.kind).toBe(software ? 'cpu' : 'gpu');
    if (software) expect(notes.join('\n')).toMatch(/for a single run the CPU engine is about as fast/);
  });
});
