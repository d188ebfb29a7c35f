// Vega-Lite specs of the report's plots. Colour is the run (λ), ordered by coefficient so legends read in sweep order.
import type { TopLevelSpec } from 'vega-lite';
import type { ResultsFile } from '../../train/results';
import { curveRows, histogramRows, normRows, runLabel, summaryRows } from './report_data';
import { divergenceNotes } from './report_notes';

type Spec = Record<string, unknown>;

function labelOrder(f: ResultsFile): string[] {
  return [...new Set([...f.runs].sort((a, b) => a.config.decay.coefficient - b.config.decay.coefficient).map(runLabel))];
}

function runColor(f: ResultsFile): Spec {
  return { field: 'label', type: 'nominal', title: 'decay', scale: { domain: labelOrder(f), scheme: 'viridis' } };
}

function curves(f: ResultsFile, measure: 'loss' | 'accuracy', title: string): Spec {
  return {
    title,
    width: 300,
    height: 220,
    data: { values: curveRows(f) },
    // Plain lines: with point overlays the split legend loses its dash symbols.
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
      y: { field: measure, type: 'quantitative', scale: { zero: false } },
      color: runColor(f),
      strokeDash: { field: 'split', type: 'nominal', scale: { domain: ['train', 'validation', 'test'] }, legend: { symbolType: 'stroke', symbolStrokeColor: '#444', symbolStrokeWidth: 2 } },
      tooltip: [{ field: 'label' }, { field: 'split' }, { field: 'epoch' }, { field: measure, format: '.4f' }],
    },
  };
}

/** Final measure against λ: λ is an ordinal axis, sorted by value, because a sweep usually includes 0. */
function againstLambda(f: ResultsFile, measures: string[], title: string, yTitle: string): Spec {
  return {
    title,
    width: 260,
    height: 220,
    data: { values: summaryRows(f) },
    transform: [{ filter: { field: 'measure', oneOf: measures } }],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'label', type: 'ordinal', title: 'decay (mode coefficient)', sort: { field: 'coefficient' }, axis: { labelAngle: -30 } },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false }, axis: { format: '.1%' } },
      color: { field: 'measure', type: 'nominal', title: null },
      tooltip: [{ field: 'label' }, { field: 'measure' }, { field: 'value', format: '.4f' }],
    },
  };
}

export function mainFigure(f: ResultsFile): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    // report.png is this figure alone: a diverged run (perhaps without a single epoch to plot) is named in the subtitle.
    title: { text: 'What weight decay did', subtitle: divergenceNotes(f), subtitleColor: '#c0392b' },
    hconcat: [
      curves(f, 'accuracy', 'Accuracy per epoch'),
      againstLambda(f, ['gap (train − test)'], 'Generalization gap', 'train − test accuracy'),
      againstLambda(f, ['train accuracy', 'test accuracy'], 'Final accuracy', 'accuracy'),
    ],
    resolve: { scale: { color: 'independent' } },
    config: { font: 'DejaVu Sans' },
  } as unknown as TopLevelSpec;
}

export function lossFigure(f: ResultsFile): TopLevelSpec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...curves(f, 'loss', 'Loss per epoch') } as unknown as TopLevelSpec;
}

export function normFigure(f: ResultsFile): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Weight norm ‖W‖ per layer',
    data: { values: normRows(f) },
    facet: { column: { field: 'layer', type: 'nominal', title: null } },
    spec: {
      width: 220,
      height: 180,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
        y: { field: 'norm', type: 'quantitative', title: '‖W‖ (Frobenius)' },
        color: runColor(f),
        tooltip: [{ field: 'label' }, { field: 'epoch' }, { field: 'norm', format: '.4f' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}

export function histogramFigure(f: ResultsFile): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Final weights per layer (common range across runs)',
    data: { values: histogramRows(f) },
    facet: {
      row: { field: 'label', type: 'ordinal', title: null, sort: labelOrder(f) },
      column: { field: 'layer', type: 'nominal', title: null },
    },
    spec: {
      width: 220,
      height: 70,
      mark: 'bar',
      encoding: {
        x: { field: 'binStart', type: 'quantitative', title: 'weight', bin: { binned: true } },
        x2: { field: 'binEnd' },
        y: { field: 'count', type: 'quantitative', scale: { type: 'sqrt' }, title: 'count (√ scale)' },
        tooltip: [{ field: 'binStart', format: '.4f' }, { field: 'binEnd', format: '.4f' }, { field: 'count' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}
