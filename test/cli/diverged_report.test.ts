// A run that diverges before its first epoch ends still gets report.html and report.png, which name the step it
// diverged at; in a sweep, such a member is named and the others are plotted as usual. Real tiny CPU runs through main().
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/node/cli';
import type { CliIo } from '../../src/node/cli_io';
import { mainFigureSvg } from '../../src/node/report/report_png';
import type { ResultsFile } from '../../src/train/results';

const silent: CliIo = { out: () => {}, err: () => {} };
// Coupled decay wd = 1e6 at lr 0.1 multiplies every weight by (1 − 1e5) per step: float32 overflows within a few
// steps, long before the 5 steps of the first epoch (300 samples, batch 64) end. wd = 0 trains normally.
const common = ['--train-subset', '300', '--test-subset', '100', '--epochs', '2', '--hidden', '16', '--lr', '0.1', '--engine', 'cpu', '--quiet', '--seed', '3'];
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function readReport(dir: string): { html: string; results: ResultsFile; figures: Record<string, { data?: { values: { label: string }[] } }> } {
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  const embedded = (id: string): string => {
    const m = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, 's').exec(html);
    if (!m) throw new Error(`report.html has no #${id}`);
    return m[1];
  };
  return { html, results: JSON.parse(embedded('decaylab-results')) as ResultsFile, figures: JSON.parse(embedded('decaylab-figures')) };
}

function expectPng(path: string): void {
  expect(existsSync(path), path).toBe(true);
  expect([...readFileSync(path).subarray(0, 8)]).toEqual(PNG_MAGIC);
}

describe('a run that diverges before its first epoch ends', () => {
  const out = mkdtempSync(join(tmpdir(), 'decaylab-diverged-'));
  let results: ResultsFile;
  beforeAll(async () => {
    results = (await main(['train', '--wd', '1e6', ...common, '--out', out], silent))!;
  });

  it('is recorded as diverged with no epoch', () => {
    const run = results.runs[0];
    expect(run.status).toBe('diverged');
    expect(run.history).toEqual([]);
    expect(run.divergedAtStep).not.toBeNull();
    // Diverged inside the first epoch: 300 samples in batches of 64 are 5 steps.
    expect(run.divergedAtStep!).toBeLessThan(5);
  });

  it('still writes report.html, which says where it diverged and why nothing is plotted', () => {
    const { html, results: embedded } = readReport(out);
    expect(embedded).toEqual(JSON.parse(JSON.stringify(results)));
    const step = results.runs[0].divergedAtStep!;
    expect(html).toContain(`run (coupled 1000000) diverged at step ${step}, before its first epoch ended: no epoch to plot`);
    expect(html).toContain('No run completed an epoch, so the plots below are empty.');
    // The summary table's status cell too.
    expect(html).toContain(`<td>diverged at step ${step}</td>`);
  });

  it('still writes report.png, whose figure names the divergence', async () => {
    expectPng(join(out, 'report.png'));
    // report.png is this SVG rasterised (report_png.ts): the note must be in it, not only in the HTML.
    const svg = await mainFigureSvg(results);
    expect(svg).toContain(`diverged at step ${results.runs[0].divergedAtStep}, before its first epoch ended`);
  });
});

describe('a sweep with one member that diverges before its first epoch ends', () => {
  const out = mkdtempSync(join(tmpdir(), 'decaylab-diverged-sweep-'));
  let results: ResultsFile;
  beforeAll(async () => {
    results = (await main(['sweep', '--wd', '0,1e6', ...common, '--out', out], silent))!;
  });

  it('reports the other run normally and names the diverged one', async () => {
    expect(results.runs.map((r) => r.status)).toEqual(['completed', 'diverged']);
    expect(results.runs[0].history).toHaveLength(2);
    expect(results.runs[1].history).toEqual([]);
    const { html, figures } = readReport(out);
    const step = results.runs[1].divergedAtStep!;
    expect(html).toContain(`wd=1e6 (coupled 1000000) diverged at step ${step}, before its first epoch ended`);
    expect(html).not.toContain('wd=0 (coupled 0) diverged');
    expect(html).not.toContain('No run completed an epoch');
    // The curves hold the completed run's epochs (train, validation (default --val-split) and test rows for each of
    // its 2 epochs) and nothing of the other.
    const labels = figures.loss.data!.values.map((v) => v.label);
    expect(labels).toEqual(Array(2 * 3).fill('coupled 0'));
    expectPng(join(out, 'report.png'));
    const svg = await mainFigureSvg(results);
    expect(svg).toContain(`wd=1e6 (coupled 1000000) diverged at step ${step}`);
  });
});
