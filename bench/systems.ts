// How each compared system is started, and how its child's outcome becomes a row of the report.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { childPath } from './build_children';
import type { BenchOptions, SystemId } from './options';
import type { BenchRow } from './report';
import { runChildProcess, type ChildOutcome } from './spawn_child';
import { STEPS_PER_EPOCH, type ChildResult, type Workload } from './workload';

const OPENBLAS_DIR = '/usr/lib/x86_64-linux-gnu/openblas-pthread';

const NAMES: Record<SystemId, string> = {
  'decaylab-gpu': 'decaylab GPU', 'decaylab-gpu-dense': 'decaylab GPU, dense input', 'decaylab-cpu': 'decaylab CPU', 'tfjs-webgpu': 'TF.js webgpu',
  'tfjs-wasm': 'TF.js wasm', 'tfjs-cpu': 'TF.js cpu', pytorch: 'PyTorch CPU', 'pytorch-cuda': 'PyTorch CUDA',
};

/** The first interpreter that imports torch (and, with cuda, sees a CUDA device), or undefined. */
export function findTorchPython(preferred?: string, cuda = false): string | undefined {
  const candidates = preferred ? [preferred] : ['python3', '/usr/bin/python3'];
  const probe = cuda ? 'import torch, numpy; assert torch.cuda.is_available()' : 'import torch, numpy';
  return candidates.find((py) => spawnSync(py, ['-c', probe], { stdio: 'ignore' }).status === 0);
}

function emptyRow(system: string, engine: string): BenchRow {
  return { system, engine, msPerStep: null, stepsPerSecond: null, epochSeconds: null, testAccuracy: null, peakRssMb: null };
}

function rowFromResult(r: ChildResult): BenchRow {
  return {
    system: r.system, engine: r.note ? `${r.engine}; ${r.note}` : r.engine, msPerStep: r.msPerStep,
    stepsPerSecond: 1000 / r.msPerStep, epochSeconds: (r.msPerStep * STEPS_PER_EPOCH) / 1000,
    testAccuracy: r.testAccuracy, peakRssMb: r.peakRssMb,
  };
}

/** A crash is the system's result: the row keeps the speed it had until its last log point. */
function rowFromFailure(system: string, o: ChildOutcome<ChildResult>): BenchRow {
  const p = o.lastProgress;
  const row = emptyRow(system, `${o.failure}${p ? ` at step ≥ ${p.step} (speed until its last log point)` : ''}`);
  if (p) {
    row.msPerStep = p.msPerStep;
    row.stepsPerSecond = 1000 / p.msPerStep;
  }
  return row;
}

/** A report row, plus the CPU time per step that the text table shows beside it (not part of the JSON schema). */
export interface SystemOutcome {
  row: BenchRow;
  cpuMsPerStep: number | null;
  /** Why the child gave no result (crash, timeout, error); absent when it finished. */
  failure?: string;
}

export async function runSystem(id: SystemId, w: Workload, opts: BenchOptions): Promise<SystemOutcome> {
  const system = NAMES[id];
  const spawnOpts = { timeoutSeconds: opts.timeoutSeconds, verbose: opts.verbose };
  let outcome: ChildOutcome<ChildResult>;
  if (id === 'pytorch' || id === 'pytorch-cuda') {
    const cuda = id === 'pytorch-cuda';
    const python = findTorchPython(opts.python, cuda);
    if (!python) {
      const why = cuda ? 'no python3 whose torch sees a CUDA device' : 'no python3 that imports torch and numpy (Debian: apt-get install python3-torch)';
      return { row: emptyRow(system, `skipped: ${why}`), cpuMsPerStep: null };
    }
    const env = { ...process.env };
    // OpenBLAS for this child only: the system's BLAS choice stays as it is.
    if (existsSync(OPENBLAS_DIR)) env.LD_LIBRARY_PATH = [OPENBLAS_DIR, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    const script = resolve(import.meta.dirname, 'peers', 'pytorch_peer.py');
    // PyTorch gets its best configuration: with every core its threads spin-wait, and on a loaded 2-core machine
    // that was measured 30–60× slower than one thread (0.8 ms/step). Both run; the faster one is the row.
    // On CUDA the host thread only launches kernels: one thread.
    let best: SystemOutcome | undefined;
    for (const threads of cuda ? [1] : new Set([1, cpus().length])) {
      const args = [script, JSON.stringify(w), String(threads), ...(cuda ? ['cuda'] : [])];
      const o = await runChildProcess<ChildResult>(python, args, { ...spawnOpts, env });
      best = fasterOf(best, toOutcome(system, o));
    }
    return best!;
  } else {
    const [child, arg] = id.startsWith('tfjs-') ? (['tfjs_peer', id.slice(5)] as const) : (['decaylab_peer', id.slice(9)] as const);
    outcome = await runChildProcess<ChildResult>(process.execPath, [childPath(child), JSON.stringify(w), arg], spawnOpts);
  }
  return toOutcome(system, outcome);
}

function toOutcome(system: string, outcome: ChildOutcome<ChildResult>): SystemOutcome {
  return outcome.result
    ? { row: rowFromResult(outcome.result), cpuMsPerStep: outcome.result.cpuMsPerStep }
    : { row: rowFromFailure(system, outcome), cpuMsPerStep: null, failure: outcome.failure };
}

/**
 * The better of two runs of one system: a finished run beats a failed one, then the lower ms/step wins; the peak RSS
 * is the higher of both, and a failure in any round stays visible in the engine column.
 */
export function fasterOf(a: SystemOutcome | undefined, b: SystemOutcome): SystemOutcome {
  if (!a) return b;
  const speed = (o: SystemOutcome): number => (o.failure ? 1e12 : 0) + (o.row.msPerStep ?? 1e11);
  const winner = speed(b) < speed(a) ? b : a;
  const loser = winner === a ? b : a;
  const peaks = [a.row.peakRssMb, b.row.peakRssMb].filter((v): v is number => v !== null);
  const engine = loser.failure && !winner.failure ? `${winner.row.engine}; another round ${loser.failure}` : winner.row.engine;
  return { ...winner, row: { ...winner.row, engine, peakRssMb: peaks.length ? Math.max(...peaks) : null } };
}
