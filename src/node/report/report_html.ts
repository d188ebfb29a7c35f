// report.html: one self-contained file (vega, vega-lite, vega-embed inlined from node_modules) that works offline.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ResultsFile } from '../../train/results';
import { histogramFigure, lossFigure, mainFigure, normFigure } from './report_specs';
import { runLabel } from './report_data';
import { divergenceNotes, nothingToPlot } from './report_notes';

function libraryScript(pkg: string, file: string): string {
  // Some packages (vega) do not export package.json, so look for the file along Node's module search paths.
  const candidates = (createRequire(import.meta.url).resolve.paths(pkg) ?? []).map((dir) => join(dir, pkg, 'build', file));
  const path = candidates.find((c) => existsSync(c));
  if (!path) throw new Error(`report needs ${pkg}/build/${file}: run \`npm ci\``);
  // "</script" inside an inlined library would end the tag early.
  return readFileSync(path, 'utf8').replace(/<\/script/gi, '<\\/script');
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const pct = (v: number | null | undefined): string => (v == null ? '—' : `${(100 * v).toFixed(2)}%`);
const fix = (v: number | null | undefined): string => (v == null ? '—' : v.toFixed(4));

function summaryTable(f: ResultsFile): string {
  const rows = f.runs.map((r, i) => {
    const e = r.final;
    const best = f.best?.run === i ? ' class="best"' : '';
    return `<tr${best}><td>${esc(r.config.name)}</td><td>${esc(r.config.optimizer.kind)}</td><td>${esc(runLabel(r))}</td><td>${esc(r.status)}${r.divergedAtStep !== null ? ` at step ${r.divergedAtStep}` : ''}</td>`
      + `<td>${e?.epoch ?? '—'}</td><td>${fix(e?.trainLoss)}</td><td>${pct(e?.trainAccuracy)}</td><td>${fix(e?.valLoss)}</td><td>${pct(e?.valAccuracy)}</td>`
      + `<td>${fix(e?.testLoss)}</td><td>${pct(e?.testAccuracy)}</td><td>${pct(e?.gap)}</td><td>${e ? e.weightNorms.map((n) => n.toFixed(3)).join(', ') : '—'}</td></tr>`;
  });
  return `<table><thead><tr><th>run</th><th>optimizer</th><th>decay</th><th>status</th><th>epochs</th><th>train loss</th><th>train acc</th><th>val loss</th><th>val acc</th><th>test loss</th><th>test acc</th><th>gap</th><th>‖W‖ per layer</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function bestLine(f: ResultsFile): string {
  if (!f.best) return '<p>No validation split: the best λ is not chosen (use <code>--val-split</code> &gt; 0).</p>';
  const r = f.runs[f.best.run];
  return `<p class="best-line">Best on the validation split: <b>${esc(r.config.decay.mode)} ${r.config.decay.coefficient}</b> (run ${esc(r.config.name)}, validation loss ${f.best.valLoss.toFixed(4)}, test accuracy ${pct(r.final?.testAccuracy)}).</p>`;
}

/** A diverged run is named with its step (even one that never finished an epoch and so has no curve). */
function divergenceBlock(f: ResultsFile): string {
  const notes = divergenceNotes(f);
  if (notes.length === 0) return '';
  const empty = nothingToPlot(f) ? '<p>No run completed an epoch, so the plots below are empty.</p>' : '';
  return `<div class="diverged" role="note"><p><b>Diverged</b> (the batch loss stopped being finite):</p><ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>${empty}</div>`;
}

function describe(f: ResultsFile): string {
  const c = f.runs[0]?.config;
  if (!c) return '';
  return `${esc([c.spec.inputSize, ...c.spec.hidden, c.spec.classes].join('-'))} MLP, ${esc(c.optimizer.kind)} lr ${c.optimizer.lr}`
    + `${c.optimizer.kind === 'sgd' ? ` momentum ${c.optimizer.momentum}` : ''}, batch ${c.batchSize}, ${c.epochs} epochs, seed ${c.seed}; `
    + `data ${esc(c.data.source)}: ${c.data.trainCount} train / ${c.data.valCount} validation / ${c.data.testCount} test samples; engine ${c.engine}.`;
}

export function reportHtml(f: ResultsFile): string {
  const figures = { main: mainFigure(f), loss: lossFigure(f), norms: normFigure(f), histograms: histogramFigure(f) };
  // The JSON inside <script> must not contain "</": escape "<" as \u003c (still valid JSON).
  const json = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x)).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>decaylab report</title>
<style>
body { font-family: 'DejaVu Sans', system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
th { background: #f3f3f3; } tr.best { background: #e8f4e8; font-weight: bold; }
.figure { margin: 1.5em 0; }
.diverged { border-left: 4px solid #c0392b; background: #fbeeee; padding: 0.2em 1em; }
</style>
<script>${libraryScript('vega', 'vega.min.js')}</script>
<script>${libraryScript('vega-lite', 'vega-lite.min.js')}</script>
<script>${libraryScript('vega-embed', 'vega-embed.min.js')}</script>
</head><body>
<h1>decaylab: ${esc(f.command)} report</h1>
<p>${describe(f)} Created ${esc(f.createdAt)}.</p>
${bestLine(f)}
${divergenceBlock(f)}
${summaryTable(f)}
<div class="figure" id="main"></div>
<div class="figure" id="loss"></div>
<div class="figure" id="norms"></div>
<div class="figure" id="histograms"></div>
<script type="application/json" id="decaylab-results">${json(f)}</script>
<script type="application/json" id="decaylab-figures">${json(figures)}</script>
<script>
const figures = JSON.parse(document.getElementById('decaylab-figures').textContent);
for (const [id, spec] of Object.entries(figures)) vegaEmbed('#' + id, spec, { actions: false, renderer: 'svg' });
</script>
</body></html>
`;
}
