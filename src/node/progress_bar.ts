// One progress bar on stderr for a whole train/sweep command: steps done of all planned steps, steps/s and ETA, with
// the epoch table's rows printed above it without resetting it. Silent (rows only) when stderr is not a terminal.
// Drawn here rather than with cli-progress: its MultiBar.log() prints rows on the bar's stream (stderr), and the rows
// belong on stdout (`decaylab sweep … > table.txt` keeps the table and leaves the bar on the terminal).
import type { StepProgress } from '../train/train_loop';

/**
 * Steps of several runs counted as one: the bar's totals. Pure (clock injected), so that its arithmetic is tested
 * without timing. A run's `step` is its own step counter (StepProgress.step), which restarts at 0 for the next run.
 */
export class ProgressTally {
  private readonly runs = new Map<string, { planned: number; first: number; current: number }>();
  /** Speed counts from here: the bar's creation, so set-up between runs (data upload, evaluation) is in the ETA. */
  private readonly startedAt: number;

  constructor(private readonly now: () => number) {
    this.startedAt = now();
  }

  /**
   * A run's planned steps: announced before it starts, so that the total covers the whole sweep from the start.
   * `alreadyDone`: a resumed run's steps before this process; they count as done, not as speed.
   */
  plan(run: string, steps: number, alreadyDone = 0): void {
    if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`progress: planned steps of ${run} must be an integer ≥ 0, got ${steps}`);
    if (!Number.isInteger(alreadyDone) || alreadyDone < 0 || alreadyDone > steps) {
      throw new RangeError(`progress: steps already done by ${run} must be an integer in [0, ${steps}], got ${alreadyDone}`);
    }
    this.runs.set(run, { planned: steps, first: alreadyDone, current: alreadyDone });
  }

  /** The run has done `step` steps of `totalSteps` (its own counters, StepProgress.step and .totalSteps). */
  record(run: string, step: number, totalSteps: number): void {
    if (!this.runs.has(run)) this.plan(run, totalSteps);
    const r = this.runs.get(run)!;
    r.current = Math.max(r.current, step);
  }

  /** The run ended (completed, early-stopped, diverged): the steps it will not take leave the total. */
  end(run: string): void {
    const r = this.runs.get(run);
    if (r) r.planned = Math.min(r.planned, r.current);
  }

  snapshot(): { done: number; total: number; stepsPerSecond: number | null; etaSeconds: number | null } {
    let done = 0;
    let total = 0;
    let trained = 0;
    for (const r of this.runs.values()) {
      done += r.current;
      total += Math.max(r.planned, r.current);
      trained += r.current - r.first;
    }
    const seconds = (this.now() - this.startedAt) / 1000;
    const stepsPerSecond = seconds > 0 && trained > 0 ? trained / seconds : null;
    const etaSeconds = stepsPerSecond === null ? null : (total - done) / stepsPerSecond;
    return { done, total, stepsPerSecond, etaSeconds };
  }
}

export interface ProgressBar {
  plan(run: string, steps: number, alreadyDone?: number): void;
  update(run: string, p: StepProgress): void;
  endRun(run: string): void;
  /** Prints a line (a table row, a note) where it belongs, above the bar, without restarting the bar. */
  log(line: string): void;
  /** Draws the final state and leaves it on its own line (a TTY); later log lines print below it. */
  stop(): void;
}

/** The terminal stream the bar draws on (process.stderr); a fake in tests. */
export interface BarStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressBarOptions {
  /** false (--quiet) or a stream that is not a terminal: no bar at all, log lines pass through unchanged. */
  enabled: boolean;
  /** Where log lines go (stdout). */
  out: (line: string) => void;
  stream?: BarStream;
  now?: () => number;
}

const FRAME_MS = 200;
const WIDTH = 24;
/** Carriage return + erase to the end of the line: the bar's line is redrawn in place. */
const CLEAR = '\r\x1b[K';

function clock(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '…';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mmss = `${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

export function createProgressBar(label: string, o: ProgressBarOptions): ProgressBar {
  const stream = o.stream ?? process.stderr;
  const now = o.now ?? (() => performance.now());
  const tally = new ProgressTally(now);
  const live = o.enabled && stream.isTTY === true;
  let latest = '';
  let drawnAt: number | null = null;
  let stopped = false;

  const frame = (): string => {
    const s = tally.snapshot();
    const filled = s.total > 0 ? Math.round((WIDTH * s.done) / s.total) : 0;
    const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
    const speed = s.stepsPerSecond === null ? '…' : s.stepsPerSecond.toFixed(1);
    const line = `${label} ${bar} ${s.done}/${s.total} steps | ${speed} steps/s | ETA ${clock(s.etaSeconds)}${latest ? ` | ${latest}` : ''}`;
    // A line longer than the terminal wraps, and \r then redraws only its last part.
    const columns = stream.columns ?? 0;
    return columns > 1 && line.length > columns - 1 ? line.slice(0, columns - 1) : line;
  };
  const draw = (): void => {
    stream.write(CLEAR + frame());
    drawnAt = now();
  };
  const clear = (): void => {
    if (drawnAt !== null) stream.write(CLEAR);
  };

  return {
    plan: (run, steps, alreadyDone) => tally.plan(run, steps, alreadyDone),
    update(run, p) {
      tally.record(run, p.step, p.totalSteps);
      latest = `${run} epoch ${p.epoch} loss ${p.loss.toFixed(4)}`;
      if (live && !stopped && (drawnAt === null || now() - drawnAt >= FRAME_MS)) draw();
    },
    endRun: (run) => tally.end(run),
    log(line) {
      if (!live || stopped) return o.out(line);
      clear();
      o.out(line);
      // Redrawn at once, with the same totals: the row sits above a bar that goes on.
      if (drawnAt !== null) draw();
    },
    stop() {
      if (!live || stopped) return;
      stopped = true;
      if (drawnAt === null) return;
      latest = '';
      draw();
      stream.write('\n');
    },
  };
}
