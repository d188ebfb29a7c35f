// A uPlot line chart with titled axes (units included) that follows its container's width.
import uPlot from 'uplot';

/** Colour-blind-safe palette (Okabe–Ito); run i of a sweep keeps colour i in every chart. */
export const RUN_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

const INTEGER_INCREMENTS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];

export interface SeriesSpec {
  label: string;
  colour: string;
  dashed?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Draws steps instead of straight segments (histograms). */
  stepped?: boolean;
  /** x counts whole things (epochs, steps): ticks only at integers. */
  integerX?: boolean;
}

export class LineChart {
  private plot: uPlot | null = null;
  private seriesKey = '';
  private readonly resizeObserver: ResizeObserver;

  constructor(private readonly container: HTMLElement, private readonly spec: ChartSpec) {
    this.resizeObserver = new ResizeObserver(() => this.plot?.setSize(this.size()));
    this.resizeObserver.observe(container);
  }

  /** data[0] is x; data[i + 1] is series i (null where the series has no point). */
  update(series: SeriesSpec[], data: (number | null)[][]): void {
    const key = JSON.stringify(series);
    if (!this.plot || key !== this.seriesKey) {
      this.plot?.destroy();
      this.seriesKey = key;
      this.plot = new uPlot(this.options(series), data as uPlot.AlignedData, this.container);
    } else {
      this.plot.setData(data as uPlot.AlignedData);
    }
  }

  private size(): { width: number; height: number } {
    const width = Math.max(240, this.container.clientWidth);
    return { width, height: Math.round(Math.min(300, Math.max(180, width * 0.55))) };
  }

  private options(series: SeriesSpec[]): uPlot.Options {
    const paths = this.spec.stepped ? uPlot.paths.stepped?.({ align: 1 }) : undefined;
    return {
      ...this.size(),
      title: this.spec.title,
      scales: { x: { time: false } },
      axes: [
        { label: this.spec.xLabel, stroke: '#333', incrs: this.spec.integerX ? INTEGER_INCREMENTS : undefined },
        { label: this.spec.yLabel, stroke: '#333', size: 60 },
      ],
      series: [
        { label: this.spec.xLabel },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.colour,
          width: 2,
          dash: s.dashed ? [6, 4] : undefined,
          paths,
          spanGaps: true,
          points: { show: false },
        })),
      ],
    };
  }
}
