/**
 * The monitor's chart: training loss (smoothed, with the raw curve faint behind it), validation
 * loss, learning rate on a second axis, and overlays of other runs. Live points are appended
 * through LiveDecimator splices (no rebuild of the series); hover reads the full series.
 */
import {
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
  type TooltipItem,
} from 'chart.js';
import type { MetricPoint } from '../../../common/api/types.ts';
import { Ema } from '../chart/ema.ts';
import { LiveDecimator, decimateMinMax, type XY } from '../chart/decimate.ts';
import { MetricSeries } from '../chart/metric-series.ts';
import { chartPalette, type ChartPalette } from '../components/theme.ts';
import { formatLearningRate, formatLoss } from '../format/format.ts';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Tooltip,
  Legend,
);

/** Points drawn per series at most; the full series stays in MetricSeries. */
export const MAX_DRAWN_POINTS = 1000;

type Kind = 'smoothed' | 'raw' | 'validation' | 'lr' | 'overlay';
type LineDataset = ChartDataset<'line', XY[]> & { kind: Kind; overlayId?: string };

interface Overlay {
  jobId: string;
  label: string;
  series: MetricSeries;
}

export class LossChart {
  readonly series = new MetricSeries();
  private chart: Chart<'line', XY[]>;
  private smoothing: number;
  private logScale: boolean;
  private ema: Ema;
  private decimators!: Record<'smoothed' | 'raw' | 'validation' | 'lr', LiveDecimator<XY>>;
  private overlays: Overlay[] = [];
  private palette: ChartPalette;

  constructor(canvas: HTMLCanvasElement, options: { smoothing: number; logScale: boolean }) {
    this.smoothing = options.smoothing;
    this.logScale = options.logScale;
    this.ema = new Ema(this.smoothing);
    this.palette = chartPalette();
    this.resetDecimators();
    this.chart = new Chart<'line', XY[]>(canvas, {
      type: 'line',
      data: { datasets: this.baseDatasets() },
      options: this.chartOptions(),
    });
  }

  /** Replaces the series (first load or reload of the app). */
  reset(points: readonly MetricPoint[]): void {
    this.series.reset(points);
    this.rebuild();
  }

  /** Appends new points: each drawn series gets a small splice, then one update without animation. */
  append(points: readonly MetricPoint[]): MetricPoint[] {
    const fresh = this.series.append(points);
    if (fresh.length === 0) return fresh;
    const add = this.toXY(fresh);
    for (const kind of ['smoothed', 'raw', 'validation', 'lr'] as const) {
      const change = this.decimators[kind].push(add[kind]);
      const data = this.dataset(kind).data;
      data.splice(data.length - change.removeFromEnd, change.removeFromEnd, ...change.append);
    }
    this.chart.update('none');
    this.markCounts();
    return fresh;
  }

  setSmoothing(weight: number): void {
    this.smoothing = weight;
    this.rebuild();
  }

  setLogScale(log: boolean): void {
    this.logScale = log;
    this.chart.options = this.chartOptions();
    this.chart.update('none');
  }

  setOverlay(jobId: string, label: string, points: readonly MetricPoint[]): void {
    const series = new MetricSeries();
    series.reset(points);
    this.overlays = [...this.overlays.filter((o) => o.jobId !== jobId), { jobId, label, series }];
    this.rebuild();
  }

  removeOverlay(jobId: string): void {
    this.overlays = this.overlays.filter((o) => o.jobId !== jobId);
    this.rebuild();
  }

  get overlayIds(): string[] {
    return this.overlays.map((o) => o.jobId);
  }

  /** Re-reads the theme's colours (light, dark, high contrast). */
  applyTheme(): void {
    this.palette = chartPalette();
    this.chart.options = this.chartOptions();
    this.rebuild();
  }

  destroy(): void {
    this.chart.destroy();
  }

  private resetDecimators(): void {
    this.decimators = {
      smoothed: new LiveDecimator<XY>(MAX_DRAWN_POINTS),
      raw: new LiveDecimator<XY>(MAX_DRAWN_POINTS),
      validation: new LiveDecimator<XY>(MAX_DRAWN_POINTS),
      lr: new LiveDecimator<XY>(MAX_DRAWN_POINTS),
    };
  }

  private rebuild(): void {
    this.ema = new Ema(this.smoothing);
    this.resetDecimators();
    const all = this.toXY(this.series.points);
    for (const kind of ['smoothed', 'raw', 'validation', 'lr'] as const) {
      this.decimators[kind].push(all[kind]);
    }
    this.chart.data.datasets = this.baseDatasets();
    this.chart.update('none');
    this.markCounts();
  }

  /**
   * Records on the canvas how many points the series holds and how many the busiest line
   * draws, so the browser tests can check decimation without reaching into chart.js.
   */
  private markCounts(): void {
    const canvas = this.chart.canvas;
    const drawn = Math.max(...this.chart.data.datasets.map((d) => d.data.length));
    canvas.dataset.points = String(this.series.points.length);
    canvas.dataset.drawn = String(drawn);
  }

  /** The drawable points of new metric points; the EMA state carries over between calls. */
  private toXY(points: readonly MetricPoint[]) {
    const out = { smoothed: [] as XY[], raw: [] as XY[], validation: [] as XY[], lr: [] as XY[] };
    for (const p of points) {
      out.raw.push({ x: p.step, y: p.training_loss });
      out.smoothed.push({ x: p.step, y: this.ema.next(p.training_loss) });
      if (p.validation_loss !== null && p.validation_loss !== undefined) {
        out.validation.push({ x: p.step, y: p.validation_loss });
      }
      if (p.learning_rate !== null && p.learning_rate !== undefined) {
        out.lr.push({ x: p.step, y: p.learning_rate });
      }
    }
    return out;
  }

  private dataset(kind: Kind): LineDataset {
    return (this.chart.data.datasets as LineDataset[]).find((d) => d.kind === kind)!;
  }

  private baseDatasets(): LineDataset[] {
    const c = this.palette.series;
    const w = this.palette.lineWidth;
    const line = (
      kind: Kind,
      label: string,
      color: string,
      data: XY[],
      extra: Partial<LineDataset> = {},
    ): LineDataset => ({
      kind,
      label,
      data,
      borderColor: color,
      backgroundColor: color,
      borderWidth: w,
      pointRadius: 0,
      pointHoverRadius: 3,
      yAxisID: 'y',
      ...extra,
    });
    const datasets: LineDataset[] = [
      line(
        'smoothed',
        this.smoothing > 0 ? 'Training loss (smoothed)' : 'Training loss',
        c[0],
        this.decimators.smoothed.drawn(),
      ),
      line('raw', 'Training loss (raw)', withAlpha(c[0], 0.3), this.decimators.raw.drawn(), {
        hidden: this.smoothing === 0,
        borderWidth: 1,
      }),
      line('validation', 'Validation loss', c[1], this.decimators.validation.drawn(), {
        pointRadius: 2,
      }),
      line('lr', 'Learning rate', c[2], this.decimators.lr.drawn(), {
        yAxisID: 'lr',
        borderDash: [4, 3],
      }),
    ];
    this.overlays.forEach((o, i) => {
      const ema = new Ema(this.smoothing);
      const pts = o.series.points.map((p) => ({ x: p.step, y: ema.next(p.training_loss) }));
      datasets.push(
        line(
          'overlay',
          `${o.label} (training loss)`,
          c[(i + 3) % c.length],
          [...decimateMinMax(pts, MAX_DRAWN_POINTS)],
          {
            overlayId: o.jobId,
            borderDash: [2, 2],
          },
        ),
      );
    });
    return datasets;
  }

  private chartOptions() {
    const p = this.palette;
    const axis = (title: string) => ({
      title: { display: true, text: title, color: p.muted },
      ticks: { color: p.muted },
      grid: { color: p.grid },
    });
    return {
      parsing: false as const,
      normalized: true,
      animation: false as const,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest' as const, axis: 'x' as const, intersect: false },
      scales: {
        x: { type: 'linear' as const, ...axis('Step') },
        y: {
          type: this.logScale ? ('logarithmic' as const) : ('linear' as const),
          ...axis('Loss'),
        },
        lr: {
          type: 'linear' as const,
          position: 'right' as const,
          ...axis('Learning rate'),
          grid: { drawOnChartArea: false },
          ticks: {
            color: p.muted,
            callback: (v: number | string) => formatLearningRate(Number(v)),
          },
        },
      },
      plugins: {
        legend: { labels: { color: p.foreground, boxHeight: 2 } },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'line'>[]) => {
              const step = this.series.nearest(items[0]?.parsed.x ?? 0)?.step;
              return step === undefined ? '' : `Step ${step}`;
            },
            label: (item: TooltipItem<'line'>) => this.tooltipLabel(item),
          },
        },
      },
    };
  }

  /** Hover shows the exact values of the nearest logged step, not the decimated point. */
  private tooltipLabel(item: TooltipItem<'line'>): string {
    const ds = item.dataset as LineDataset;
    const x = item.parsed.x ?? 0;
    if (ds.kind === 'overlay') {
      const o = this.overlays.find((v) => v.jobId === ds.overlayId);
      const p = o?.series.nearest(x);
      return `${ds.label}: ${formatLoss(p?.training_loss)} (step ${p?.step ?? '—'})`;
    }
    const p = this.series.nearest(x);
    if (!p) return '';
    switch (ds.kind) {
      case 'smoothed':
        return this.smoothing > 0
          ? `Smoothed training loss: ${formatLoss(item.parsed.y)}`
          : `Training loss: ${formatLoss(p.training_loss)}`;
      case 'raw':
        return `Training loss: ${formatLoss(p.training_loss)}`;
      case 'validation':
        return `Validation loss: ${formatLoss(item.parsed.y)}`;
      case 'lr':
        return `Learning rate: ${formatLearningRate(p.learning_rate)}`;
    }
  }
}

/** A theme colour made translucent (hex or rgb[a]); unknown formats are returned as is. */
function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(color);
  if (hex)
    return `#${hex[1]}${Math.round(alpha * 255)
      .toString(16)
      .padStart(2, '0')}`;
  const rgb = /^rgba?\(([^,]+),([^,]+),([^,)]+)/i.exec(color);
  if (rgb) return `rgba(${rgb[1]},${rgb[2]},${rgb[3]},${alpha})`;
  return color;
}
