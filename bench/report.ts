// The bench's output: rows per system, kernel GFLOP/s and the ratios of the issue, as tables or one JSON document.
import type { KernelRow } from './kernels/kernel_row';
import type { MemoryReport } from './memory_check';

export interface BenchRow {
  system: string;
  /** What ran (versions, backend, BLAS); for a system with no result, why ("crashed …", "skipped …"). */
  engine: string;
  msPerStep: number | null;
  stepsPerSecond: number | null;
  /** Seconds for one 938-step epoch at the measured speed (a projection when fewer steps were run). */
  epochSeconds: number | null;
  testAccuracy: number | null;
  peakRssMb: number | null;
}

export interface BenchRatios {
  gpuVsTfjsWebgpu: number | null;
  gpuVsPytorch: number | null;
  cpuVsTfjsWasm: number | null;
  cpuVsTfjsCpu: number | null;
}

export interface BenchReport {
  machine: string;
  adapter: string;
  rows: BenchRow[];
  kernels: KernelRow[];
  ratios: BenchRatios;
  /** Only when --memory-epochs asks for it: an addition to the schema, absent otherwise. */
  memory?: MemoryReport;
}

/** Targets of issue 6, printed beside the ratios. */
const TARGETS: Record<keyof BenchRatios, number> = { gpuVsTfjsWebgpu: 10, gpuVsPytorch: 0.7, cpuVsTfjsWasm: 1, cpuVsTfjsCpu: 6 };

export function computeRatios(rows: BenchRow[]): BenchRatios {
  const speed = (system: string): number | null => rows.find((r) => r.system === system)?.stepsPerSecond ?? null;
  const ratio = (a: string, b: string): number | null => {
    const x = speed(a);
    const y = speed(b);
    return x !== null && y !== null && y > 0 ? x / y : null;
  };
  return {
    gpuVsTfjsWebgpu: ratio('decaylab GPU', 'TF.js webgpu'),
    gpuVsPytorch: ratio('decaylab GPU', 'PyTorch CPU'),
    cpuVsTfjsWasm: ratio('decaylab CPU', 'TF.js wasm'),
    cpuVsTfjsCpu: ratio('decaylab CPU', 'TF.js cpu'),
  };
}

const fixed = (v: number | null, digits: number): string => (v === null ? '—' : v.toFixed(digits));

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...body.map(line)].join('\n');
}

/** cpuMsPerStep[i] is the CPU time per step of rows[i] (all threads), shown because the machines are shared. */
export function formatReport(r: BenchReport, steps: number, cpuMsPerStep: (number | null)[] = []): string {
  const rows = table(
    ['system', 'ms/step', 'CPU ms/step', 'steps/s', 'epoch s', 'test acc', 'peak RSS MB', 'engine'],
    r.rows.map((x, i) => [
      x.system, fixed(x.msPerStep, 2), fixed(cpuMsPerStep[i] ?? null, 2), fixed(x.stepsPerSecond, 1), fixed(x.epochSeconds, 1),
      fixed(x.testAccuracy, 4), fixed(x.peakRssMb, 0), x.engine,
    ]),
  );
  const baseline = (shape: string): number | undefined => r.kernels.find((k) => k.name.startsWith('baseline') && k.shape === shape)?.gflops;
  const kernels = r.kernels.length
    ? table(['kernel', 'shape (M×K×N)', 'GFLOP/s', '× baseline'], r.kernels.map((k) => {
      const b = baseline(k.shape);
      return [k.name, k.shape, fixed(k.gflops, 2), b ? fixed(k.gflops / b, 2) : '—'];
    }))
    : '(kernel timings not run)';
  const ratios = (Object.keys(TARGETS) as (keyof BenchRatios)[])
    .map((k) => {
      const v = r.ratios[k];
      const verdict = v === null ? 'not measured' : v >= TARGETS[k] ? 'meets target' : 'below target';
      return `  ${k.padEnd(16)} ${fixed(v, 2).padStart(7)}×   (target ≥ ${TARGETS[k]}×: ${verdict})`;
    })
    .join('\n');
  return [
    `machine: ${r.machine}`, `adapter: ${r.adapter}`,
    `workload: 784-128-10 ReLU, SGD lr 0.01, weight decay 1e-4 (PyTorch-coupled), batch 64, ${steps} steps of MNIST (epoch s projects 938 steps)`,
    '', rows, '', kernels, '', 'ratios of steps/s:', ratios,
  ].join('\n');
}
