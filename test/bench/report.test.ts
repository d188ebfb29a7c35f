// The bench's bookkeeping: ratios from rows, the fastest-of-rounds rule, and the tables it prints.
import { describe, expect, it } from 'vitest';
import { computeRatios, formatReport, type BenchRow } from '../../bench/report';
import { fasterOf, type SystemOutcome } from '../../bench/systems';

function row(system: string, msPerStep: number | null, peakRssMb: number | null = 100): BenchRow {
  return {
    system, engine: 'e', msPerStep, stepsPerSecond: msPerStep === null ? null : 1000 / msPerStep,
    epochSeconds: msPerStep === null ? null : (msPerStep * 938) / 1000, testAccuracy: 0.9, peakRssMb,
  };
}

describe('computeRatios', () => {
  it('divides steps/s of the named systems, and gives null where either is missing', () => {
    const r = computeRatios([row('decaylab GPU', 2), row('decaylab CPU', 4), row('TF.js webgpu', 40), row('TF.js wasm', 8), row('TF.js cpu', null)]);
    expect(r.gpuVsTfjsWebgpu).toBeCloseTo(20, 12);
    expect(r.cpuVsTfjsWasm).toBeCloseTo(2, 12);
    expect(r.cpuVsTfjsCpu).toBeNull();
    expect(r.gpuVsPytorch).toBeNull();
  });
});

describe('fasterOf (rounds)', () => {
  const ok = (ms: number, rss: number): SystemOutcome => ({ row: row('s', ms, rss), cpuMsPerStep: ms });
  it('keeps the lower ms/step and the higher peak RSS', () => {
    const best = fasterOf(fasterOf(undefined, ok(5, 300)), ok(3, 200));
    expect(best.row.msPerStep).toBe(3);
    expect(best.row.peakRssMb).toBe(300);
  });

  it('prefers a finished run over a faster crashed one, and says that a round crashed', () => {
    const crashed: SystemOutcome = { row: row('s', 1, null), cpuMsPerStep: null, failure: 'crashed (SIGSEGV)' };
    const best = fasterOf(crashed, ok(9, 250));
    expect(best.row.msPerStep).toBe(9);
    expect(best.failure).toBeUndefined();
    expect(best.row.engine).toContain('another round crashed (SIGSEGV)');
  });
});

describe('formatReport', () => {
  it('prints every row, the kernel fraction of the baseline, and each ratio against its target', () => {
    const rows = [row('decaylab CPU', 2.5), row('TF.js wasm', 10), row('TF.js cpu', 40)];
    const text = formatReport({
      machine: 'm', adapter: 'a', rows, ratios: computeRatios(rows),
      kernels: [{ name: 'baseline x', shape: '1024³', gflops: 8 }, { name: 'engine y', shape: '1024³', gflops: 2 }],
    }, 300, [2.4, 9.9, null]);
    expect(text).toMatch(/\| decaylab CPU \| 2\.50 +\| 2\.40 +\| 400\.0/);
    expect(text).toMatch(/engine y +\| 1024³ +\| 2\.00 +\| 0\.25/);
    expect(text).toMatch(/cpuVsTfjsWasm +4\.00× +\(target ≥ 1×: meets target\)/);
    expect(text).toMatch(/cpuVsTfjsCpu +16\.00× +\(target ≥ 6×: meets target\)/);
    expect(text).toMatch(/gpuVsTfjsWebgpu +—× +\(target ≥ 10×: not measured\)/);
  });
});
