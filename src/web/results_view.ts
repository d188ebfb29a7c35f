// Draws a LabResults into the page's charts and summary table; used live while training and for reopened results.
import { generalizationGap, type LabResults, type RunRecord } from './lab_results';
import { LineChart, RUN_COLOURS, type SeriesSpec } from './line_chart';

export class ResultsView {
  private readonly loss: LineChart;
  private readonly accuracy: LineChart;
  private readonly gap: LineChart;
  private readonly norms: LineChart;
  private readonly weights: LineChart;

  constructor(private readonly root: HTMLElement) {
    const at = (id: string): HTMLElement => {
      const el = root.querySelector<HTMLElement>(`#${id}`);
      if (!el) throw new Error(`the page lacks #${id}`);
      return el;
    };
    this.loss = new LineChart(at('chart-loss'), { title: 'Training loss (mean of each chunk)', xLabel: 'step', integerX: true, yLabel: 'cross-entropy (nats)' });
    this.accuracy = new LineChart(at('chart-accuracy'), { title: 'Accuracy: test (solid), train (dashed)', xLabel: 'epoch', integerX: true, yLabel: 'accuracy (%)' });
    this.gap = new LineChart(at('chart-gap'), { title: 'Generalization gap', xLabel: 'epoch', integerX: true, yLabel: 'train − test accuracy (pp)' });
    this.norms = new LineChart(at('chart-norms'), { title: 'Weight norm ‖W‖ (all layers, biases excluded)', xLabel: 'epoch', integerX: true, yLabel: '‖W‖ (Frobenius)' });
    this.weights = new LineChart(at('chart-histogram'), { title: 'First-layer weights (latest)', xLabel: 'weight value', yLabel: 'count (weights)', stepped: true });
  }

  render(results: LabResults): void {
    const runs = results.runs;
    const solid = runs.map((r, i): SeriesSpec => ({ label: r.label, colour: RUN_COLOURS[i % RUN_COLOURS.length] }));

    const steps = runs[0].chunkLosses.map((c) => c.step);
    this.loss.update(solid, [steps, ...runs.map((r) => r.chunkLosses.map((c) => c.loss))]);

    const epochs = runs[0].history.map((h) => h.epoch);
    const perEpoch = (f: (r: RunRecord, i: number) => number): (number | null)[][] =>
      runs.map((r) => epochs.map((_, i) => (i < r.history.length ? f(r, i) : null)));
    const dashed = solid.map((s) => ({ ...s, label: `${s.label} train`, dashed: true }));
    this.accuracy.update([...solid.map((s) => ({ ...s, label: `${s.label} test` })), ...dashed], [
      epochs,
      ...perEpoch((r, i) => 100 * r.history[i].testAccuracy),
      ...perEpoch((r, i) => 100 * r.history[i].trainAccuracy),
    ]);
    this.gap.update(solid, [epochs, ...perEpoch((r, i) => generalizationGap(r.history[i]))]);
    this.norms.update(solid, [epochs, ...perEpoch((r, i) => Math.hypot(...r.history[i].weightNorms))]);

    // The runner bins every run on the same edges, so one x grid serves all.
    const h0 = runs[0].histogram;
    if (h0 && runs.every((r) => r.histogram?.counts.length === h0.counts.length)) {
      const centres = h0.edges.slice(0, -1).map((e, i) => (e + h0.edges[i + 1]) / 2);
      this.weights.update(solid, [centres, ...runs.map((r) => r.histogram!.counts)]);
    }
    this.renderTable(results);
  }

  private renderTable(results: LabResults): void {
    const body = this.root.querySelector('#summary tbody');
    if (!body) return;
    body.replaceChildren(
      ...results.runs.map((r, i) => {
        const last = r.history[r.history.length - 1];
        const row = document.createElement('tr');
        const cells = [
          r.label,
          `${last.epoch}`,
          last.trainLoss.toFixed(4),
          last.testLoss.toFixed(4),
          `${(100 * last.trainAccuracy).toFixed(2)} %`,
          `${(100 * last.testAccuracy).toFixed(2)} %`,
          `${generalizationGap(last).toFixed(2)} pp`,
          Math.hypot(...last.weightNorms).toFixed(3),
        ];
        cells.forEach((text, c) => {
          const cell = document.createElement(c === 0 ? 'th' : 'td');
          if (c === 0) {
            cell.setAttribute('scope', 'row');
            cell.style.borderLeft = `6px solid ${RUN_COLOURS[i % RUN_COLOURS.length]}`;
          }
          cell.textContent = text;
          row.append(cell);
        });
        // Exact engine numbers for tests and for people who copy them.
        row.dataset.testAccuracy = String(last.testAccuracy);
        row.dataset.testLoss = String(last.testLoss);
        return row;
      }),
    );
  }
}
