// The bench is not a test, but this runs it end to end on a tiny configuration so that it cannot rot:
// every system trains a few steps in its own process, kernels are validated and timed, and --json keeps the schema.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SYSTEMS, parseBenchOptions } from '../../bench/options';
import type { BenchReport } from '../../bench/report';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');

async function benchJson(args: string[]): Promise<BenchReport> {
  // The bench's own entry point under the same Node, with tsx as the TypeScript loader (what `npm run bench` runs).
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/main.ts', '--json', ...args], {
    cwd: root, maxBuffer: 16 << 20, timeout: 240_000,
  });
  return JSON.parse(stdout) as BenchReport;
}

describe('npm run bench on a tiny configuration', () => {
  it('trains every system, times every kernel and prints the issue’s JSON schema', async () => {
    const report = await benchJson(['--steps', '12', '--test-count', '256', '--kernel-seconds', '0.02', '--memory-epochs', '3', '--memory-steps', '4']);
    expect(Object.keys(report).sort()).toEqual(['adapter', 'kernels', 'machine', 'memory', 'ratios', 'rows']);
    expect(report.rows.map((r) => r.system)).toEqual(['decaylab GPU', 'decaylab GPU, dense input', 'decaylab CPU', 'TF.js webgpu', 'TF.js wasm', 'TF.js cpu', 'PyTorch CPU']);
    for (const row of report.rows) {
      expect(Object.keys(row).sort()).toEqual(['engine', 'epochSeconds', 'msPerStep', 'peakRssMb', 'stepsPerSecond', 'system', 'testAccuracy']);
      // PyTorch is optional on a machine without python3-torch; every other system must have run.
      if (row.system === 'PyTorch CPU' && row.engine.startsWith('skipped')) continue;
      const why = `${row.system}: ${row.engine} (no adapter? install Mesa lavapipe ≥ 24, see ENVIRONMENT.md)`;
      expect(row.msPerStep, why).toBeGreaterThan(0);
      expect(row.stepsPerSecond! * row.msPerStep!, why).toBeCloseTo(1000, 6);
      expect(row.epochSeconds! / row.msPerStep!).toBeCloseTo(0.938, 6);
      // 12 steps at lr 0.01 leave a 10-class model between chance and good; a NaN or broken eval would not be.
      expect(row.testAccuracy, why).toBeGreaterThanOrEqual(0);
      expect(row.testAccuracy, why).toBeLessThanOrEqual(1);
      expect(row.peakRssMb, why).toBeGreaterThan(20);
    }
    // The decaylab rows start from the same seeded initialisation and see the same batches; the GPU engine's two rows
    // differ only in summation order (the dense one reads the words the other skips, all zero).
    expect(report.rows[0].testAccuracy).toBeCloseTo(report.rows[2].testAccuracy!, 2);
    expect(report.rows[0].testAccuracy).toBeCloseTo(report.rows[1].testAccuracy!, 2);
    expect(report.adapter).not.toMatch(/^unavailable/);
    expect(report.kernels.map((k) => k.shape)).toEqual(expect.arrayContaining(['1024³', 'forward 64×784×128', 'weight gradient 784×64×128']));
    // One engine kernel per shape, plus layer 0's u8-input twins on the training shapes: lavapipe's variant has them.
    const engine = report.kernels.filter((k) => k.name.startsWith('engine'));
    expect(engine.filter((k) => !k.name.includes('U8 '))).toHaveLength(3);
    expect(engine.filter((k) => k.name.includes('U8 ')).map((k) => k.shape).sort()).toEqual(['forward 64×784×128', 'weight gradient 784×64×128']);
    for (const k of report.kernels) expect(k.gflops, `${k.name} ${k.shape}`).toBeGreaterThan(0);
    expect(Object.keys(report.ratios).sort()).toEqual(['cpuVsTfjsCpu', 'cpuVsTfjsWasm', 'gpuVsPytorch', 'gpuVsTfjsWebgpu']);
    expect(report.ratios.cpuVsTfjsCpu).toBeCloseTo(report.rows[2].stepsPerSecond! / report.rows[5].stepsPerSecond!, 9);
    expect(report.memory!.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    for (const e of report.memory!.epochs) expect(e.maps).toBeGreaterThan(10);
  }, 300_000);
});

describe('bench options', () => {
  it('defaults to 300 steps of every system but PyTorch CUDA, and --full-epoch to 938', () => {
    expect(parseBenchOptions([]).steps).toBe(300);
    expect(parseBenchOptions([]).systems).toEqual([...DEFAULT_SYSTEMS]);
    expect(DEFAULT_SYSTEMS).not.toContain('pytorch-cuda');
    expect(parseBenchOptions(['--systems', 'decaylab-gpu,pytorch-cuda']).systems).toEqual(['decaylab-gpu', 'pytorch-cuda']);
    expect(parseBenchOptions(['--full-epoch']).steps).toBe(938);
  });

  it('names the bad option and value', () => {
    expect(() => parseBenchOptions(['--steps', '0'])).toThrow(/--steps must be a positive integer, got '0'/);
    expect(() => parseBenchOptions(['--systems', 'tfjs-cpu,jax'])).toThrow(/unknown system 'jax' \(known: decaylab-gpu/);
    expect(() => parseBenchOptions(['--test-count', '20000'])).toThrow(/--test-count is at most 10000/);
  });
});
