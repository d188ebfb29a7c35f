// `decaylab sweep` on the GPU engine trains its coefficients together (GpuSweep, lockstep loops); the sequential path
// (--no-batch-sweep) trains one GpuTrainer per coefficient. Both run the same per-model arithmetic on the same
// device, so every recorded number must be equal bit for bit: histories, statuses, divergence and early-stopping
// points, weight histograms, the weights files and the checkpoints' params. The λ = 1000 run (coupled decay,
// lr 0.1: the weights are multiplied by −99 each step) diverges in its first chunk and λ = 0.5 stops early,
// so the runs end at different points while the others keep training.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/node/cli';
import type { CliIo } from '../../src/node/cli_io';
import { decodeCheckpoint } from '../../src/train/checkpoint';
import type { ResultsFile, RunResult } from '../../src/train/results';

const silent: CliIo = { out: () => {}, err: () => {} };
const common = [
  'sweep', '--wd', '0,1e-3,0.5,1000', '--mode', 'coupled', '--train-subset', '400', '--test-subset', '100', '--val-split', '0.25',
  '--epochs', '4', '--hidden', '24', '--lr', '0.1', '--momentum', '0.9', '--batch-size', '32', '--steps-per-chunk', '4',
  '--early-stopping', '1', '--engine', 'gpu', '--quiet', '--seed', '7',
];
const batchedOut = mkdtempSync(join(tmpdir(), 'decaylab-batched-'));
const sequentialOut = mkdtempSync(join(tmpdir(), 'decaylab-sequential-'));
let batched: ResultsFile;
let sequential: ResultsFile;

// Everything a run records except wall-clock times.
function recorded(r: RunResult): unknown {
  return {
    config: r.config, status: r.status, divergedAtStep: r.divergedAtStep, bestEpoch: r.bestEpoch, files: r.files,
    history: r.history.map((e) => ({ ...e, seconds: 0 })),
    final: r.final, weightHistograms: r.weightHistograms,
  };
}

beforeAll(async () => {
  batched = (await main([...common, '--out', batchedOut], silent))!;
  sequential = (await main([...common, '--no-batch-sweep', '--out', sequentialOut], silent))!;
});

describe('batched GPU sweep against the sequential GPU path', () => {
  it('covers the cases it claims: one completed, one early-stopped and one diverged run', () => {
    const statuses = batched.runs.map((r) => r.status);
    expect(statuses[0]).not.toBe('diverged');
    expect(statuses[3]).toBe('diverged');
    expect(statuses).toContain('early-stopped');
    expect(batched.runs[0].history.length).toBeGreaterThan(1);
  });

  it('records the same per-epoch metrics, norms and outcomes for every run, bit for bit', () => {
    expect(batched.runs.length).toBe(4);
    expect(batched.runs.map(recorded)).toEqual(sequential.runs.map(recorded));
    expect(batched.best).toEqual(sequential.best);
  });

  it('writes the same weights and checkpoint params', () => {
    for (const r of batched.runs) {
      const weights = r.files.weights;
      if (weights === null) throw new Error(`${r.config.name} wrote no weights file`);
      expect(readFileSync(join(batchedOut, weights)).equals(readFileSync(join(sequentialOut, weights))), weights).toBe(true);
      if (r.files.checkpoint === null) continue;
      const a = decodeCheckpoint(readFileSync(join(batchedOut, r.files.checkpoint)));
      const b = decodeCheckpoint(readFileSync(join(sequentialOut, r.files.checkpoint)));
      expect(a.state.params, r.files.checkpoint).toEqual(b.state.params);
      expect(a.meta.progress.history.map((e) => ({ ...e, seconds: 0 }))).toEqual(b.meta.progress.history.map((e) => ({ ...e, seconds: 0 })));
    }
  });
});
