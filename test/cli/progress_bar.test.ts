// One progress bar over a whole run or sweep: its totals (ProgressTally, on an injected clock) and what a terminal
// and a CI log receive from real CPU-engine runs, sequential and batched. No timing is asserted: the clock is fake.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainerConfig } from '../../src/core/trainer';
import { defaultOptimizer } from '../../src/core/optimizer';
import { gaussianBlobs } from '../../src/data/synthetic';
import { cpuEngine, type Engine } from '../../src/node/engine';
import { executeBatchedRuns, executeRuns, finishConfig, plannedSteps, type ExecuteOptions } from '../../src/node/execute_run';
import { createProgressBar, ProgressTally, type BarStream } from '../../src/node/progress_bar';
import type { RunConfigRecord } from '../../src/train/results';
import { defaultSchedule } from '../../src/train/schedule';
import { cpuBatch } from '../train/cpu_batch';

describe('ProgressTally', () => {
  it('counts every run’s steps against the total planned for all runs, across epochs and runs', () => {
    let t = 0;
    const tally = new ProgressTally(() => t);
    for (const run of ['a', 'b', 'c']) tally.plan(run, 10);
    expect(tally.snapshot()).toEqual({ done: 0, total: 30, stepsPerSecond: null, etaSeconds: null });
    // Run a: two epochs of 5 steps. Its counter goes 5 → 10 and the sweep's goes on, never back to 0.
    t = 1000;
    tally.record('a', 5, 10);
    t = 2000;
    tally.record('a', 10, 10);
    tally.end('a');
    expect(tally.snapshot()).toEqual({ done: 10, total: 30, stepsPerSecond: 5, etaSeconds: 4 });
    // Run b starts its own counter at 0; the sweep's continues from 10.
    t = 4000;
    tally.record('b', 4, 10);
    expect(tally.snapshot()).toEqual({ done: 14, total: 30, stepsPerSecond: 14 / 4, etaSeconds: 16 / (14 / 4) });
  });

  it('drops the steps a run will not take (diverged, early-stopped) from the total', () => {
    const tally = new ProgressTally(() => 0);
    tally.plan('a', 10);
    tally.plan('b', 10);
    tally.record('a', 3, 10);
    tally.end('a');
    expect(tally.snapshot()).toMatchObject({ done: 3, total: 13 });
  });

  it('counts a resumed run’s earlier steps as done but not as speed', () => {
    let t = 0;
    const tally = new ProgressTally(() => t);
    tally.plan('a', 10, 6);
    expect(tally.snapshot()).toEqual({ done: 6, total: 10, stepsPerSecond: null, etaSeconds: null });
    t = 1000;
    tally.record('a', 8, 10);
    expect(tally.snapshot()).toEqual({ done: 8, total: 10, stepsPerSecond: 2, etaSeconds: 1 });
    expect(() => tally.plan('b', 10, 11)).toThrow('steps already done by b must be an integer in [0, 10], got 11');
  });

  it('plans a run it was not told about from its own total', () => {
    const tally = new ProgressTally(() => 0);
    tally.record('x', 2, 7);
    expect(tally.snapshot()).toMatchObject({ done: 2, total: 7 });
    expect(() => tally.plan('y', -1)).toThrow('planned steps of y must be an integer ≥ 0, got -1');
  });
});

const splits = { train: gaussianBlobs(90, 5, 3, 31, 1.5), validation: gaussianBlobs(30, 5, 3, 32, 1.5), test: gaussianBlobs(40, 5, 3, 33, 1.5) };
const EPOCHS = 3;

function config(coefficient: number): RunConfigRecord {
  return finishConfig({
    name: `wd=${coefficient}`, engine: 'cpu', spec: { inputSize: 5, hidden: [7], classes: 3 },
    optimizer: defaultOptimizer('sgd', { lr: 0.1, momentum: 0.9 }), decay: { mode: 'coupled', coefficient, decayBiases: false },
    seed: 3, epochs: EPOCHS, batchSize: 16, dropLast: false, schedule: defaultSchedule({ kind: 'constant' }), earlyStopping: null,
    data: { source: 'blobs', testSource: null, normalise: 'scale', trainSubset: null, testSubset: null, valSplit: 0.25, shuffle: true, trainCount: 0, valCount: 0, testCount: 0 },
    init: null,
  }, splits);
}

/** What a terminal sees: bar writes on stderr and stdout lines, interleaved in the order they happen. */
function recordingTerminal(isTTY: boolean): { events: { to: 'err' | 'out'; text: string }[]; stream: BarStream; options: (dir: string) => ExecuteOptions } {
  const events: { to: 'err' | 'out'; text: string }[] = [];
  const stream: BarStream = { isTTY, columns: 200, write: (text) => events.push({ to: 'err', text }) };
  let t = 0;
  // Each reading of the clock moves it 250 ms, past the bar's 200 ms frame interval: every chunk draws a frame.
  const now = (): number => (t += 250);
  const out = (line: string): void => void events.push({ to: 'out', text: line });
  const options = (outDir: string): ExecuteOptions => ({
    outDir, stepsPerChunk: 2, evaluateTrainSet: true, quiet: false, log: out,
    bar: createProgressBar('sweep', { enabled: true, out, stream, now }),
  });
  return { events, stream, options };
}

/** "done/total" of every frame the bar drew. */
function frames(events: { to: string; text: string }[]): { done: number; total: number }[] {
  return events.filter((e) => e.to === 'err').flatMap((e) => [...e.text.matchAll(/ (\d+)\/(\d+) steps/g)].map((m) => ({ done: Number(m[1]), total: Number(m[2]) })));
}

const isRow = (line: string): boolean => /^\s*(wd=\S+\s+)?\d+\s+\d+\.\d{4}/.test(line);

describe('the bar over real runs', () => {
  const cfgs = [config(0), config(1e-2)];
  const total = cfgs.reduce((s, c) => s + plannedSteps(c, splits), 0);

  for (const kind of ['sequential', 'batched'] as const) {
    it(`${kind}: one bar from 0 to every step of the sweep, with each epoch row printed above it`, async () => {
      const term = recordingTerminal(true);
      const o = term.options(mkdtempSync(join(tmpdir(), 'decaylab-bar-')));
      const engine: Engine = { ...cpuEngine(), maxBatch: 2, createBatch: async (c: TrainerConfig[]) => cpuBatch(c) };
      if (kind === 'sequential') await executeRuns(engine, cfgs, splits, o);
      else await executeBatchedRuns(engine, cfgs, splits, o);
      o.bar!.stop();

      // 90 samples in batches of 16: 6 steps per epoch, 3 epochs, 2 runs.
      expect(total).toBe(2 * EPOCHS * 6);
      const drawn = frames(term.events);
      expect(drawn.length).toBeGreaterThan(2 * EPOCHS);
      expect(new Set(drawn.map((f) => f.total)), 'the total never changes').toEqual(new Set([total]));
      drawn.forEach((f, i) => {
        if (i > 0) expect(f.done, `frame ${i} went back from ${drawn[i - 1].done}`).toBeGreaterThanOrEqual(drawn[i - 1].done);
      });
      expect(drawn.at(-1)!.done).toBe(total);

      // Every table row reaches stdout between a clear of the bar's line and a redraw that continues where it was.
      const rows = term.events.flatMap((e, i) => (e.to === 'out' && isRow(e.text) ? [i] : []));
      expect(rows).toHaveLength(2 * EPOCHS);
      for (const i of rows) {
        expect(term.events[i - 1]).toEqual({ to: 'err', text: '\r\x1b[K' });
        const before = frames(term.events.slice(0, i));
        const after = frames([term.events[i + 1]]);
        expect(after).toHaveLength(1);
        expect(after[0].done).toBe(before.at(-1)!.done);
      }
      // Stopped: the final frame is left on its own line.
      expect(term.events.at(-1)).toEqual({ to: 'err', text: '\n' });
    });
  }

  it('writes nothing but the plain lines when stderr is not a terminal (CI logs)', async () => {
    const term = recordingTerminal(false);
    const o = term.options(mkdtempSync(join(tmpdir(), 'decaylab-bar-ci-')));
    await executeRuns(cpuEngine(), cfgs, splits, o);
    o.bar!.stop();
    expect(term.events.filter((e) => e.to === 'err')).toEqual([]);
    const lines = term.events.map((e) => e.text);
    expect(lines.filter(isRow)).toHaveLength(2 * EPOCHS);
    for (const line of lines) expect(line, 'no control characters in a log').not.toMatch(/[\r\x1b]/);
  });
});
