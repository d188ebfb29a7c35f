// Plain-text notes about runs the plots cannot show well: a diverged run (possibly before any epoch ended) is named
// with its step, so a report never silently drops it. Used by report.html and, as a subtitle, by report.png.
import type { ResultsFile } from '../../train/results';
import { runLabel } from './report_data';

/** One line per diverged run, e.g. "run (coupled 1e6) diverged at step 4, before its first epoch ended: nothing to plot". */
export function divergenceNotes(f: ResultsFile): string[] {
  return f.runs.filter((r) => r.status === 'diverged').map((r) => {
    const where = r.divergedAtStep === null ? 'diverged' : `diverged at step ${r.divergedAtStep}`;
    const epochs = r.history.length;
    const shown = epochs === 0
      ? 'before its first epoch ended: no epoch to plot'
      : `after ${epochs} completed epoch${epochs === 1 ? '' : 's'} (plotted up to epoch ${r.history[epochs - 1].epoch})`;
    return `${r.config.name} (${runLabel(r)}) ${where}, ${shown}`;
  });
}

/** True when no run has a completed epoch: every plot is empty and the report says so instead of leaving blank axes unexplained. */
export function nothingToPlot(f: ResultsFile): boolean {
  return f.runs.every((r) => r.history.length === 0);
}
