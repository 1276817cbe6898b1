/** The cost dashboard app: this month vs last, spend per day (or month), per job and GPU type. */
import '../components/base.css';
import './cost.css';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  Tooltip,
  type TooltipItem,
} from 'chart.js';
import { button, registerControls } from '../components/controls.ts';
import { facts, h, replace, table } from '../components/dom.ts';
import { chartPalette, onThemeChange } from '../components/theme.ts';
import { formatChange, formatHourlyRate, formatMoney, formatPeriod } from '../format/format.ts';
import {
  costToWebview,
  type CostDashboardView,
  type CostToHost,
  type CostToWebview,
  type RunningJobView,
} from '../shared/messages.ts';
import { connect } from '../shared/vscode-bridge.ts';
import { accruedCost, currentMonthWithRunning, spendBars } from './cost-view.ts';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);
registerControls();

const bridge = connect<CostToWebview, CostToHost, Record<string, never>>(costToWebview, onMessage);
bridge.saveState({});
const app = document.getElementById('app') as HTMLElement;
const banner = h('div', { class: 'error-banner', role: 'alert' });
const overview = h('section', { attrs: { 'aria-label': 'This month and last month' } });
const runningBox = h('section', { attrs: { 'aria-labelledby': 'h-running' } });
const canvas = h('canvas', {
  id: 'spend-chart',
  role: 'img',
  attrs: { 'aria-label': 'Spend per period' },
});
const chartTitle = h('h2', { id: 'h-spend' }, 'Spend');
const tables = h('div', {});
let data: { dashboard: CostDashboardView; running: RunningJobView[]; fetchedAt: number } | null =
  null;
let chart: Chart<'bar'> | null = null;

replace(
  app,
  h('h1', {}, 'Costs'),
  h(
    'div',
    { class: 'toolbar' },
    button({
      label: 'Refresh',
      appearance: 'secondary',
      onClick: () => bridge.post({ type: 'refresh' }),
    }).element,
  ),
  banner,
  overview,
  runningBox,
  h(
    'section',
    { attrs: { 'aria-labelledby': 'h-spend' } },
    chartTitle,
    h('div', { class: 'chart-box' }, canvas),
  ),
  tables,
);
app.removeAttribute('aria-busy');

function renderOverview(): void {
  if (!data) return;
  const { dashboard: d, running, fetchedAt } = data;
  const now = Date.now();
  const withRunning = currentMonthWithRunning(d, running, fetchedAt, now);
  replace(
    overview,
    facts(
      [
        ['This month', h('strong', { id: 'this-month' }, formatMoney(d.current_month.total))],
        ['Last month', h('span', { id: 'last-month' }, formatMoney(d.last_month.total))],
        ['Change', formatChange(d.change_percent)],
        ['Including running jobs', h('span', { id: 'with-running' }, formatMoney(withRunning))],
        ['Compute this month', formatMoney(d.current_month.compute)],
        ['Storage this month', formatMoney(d.current_month.storage)],
      ],
      'Spend overview',
    ),
  );
  replace(
    runningBox,
    h('h2', { id: 'h-running' }, `Running jobs (${running.length})`),
    running.length
      ? table(
          'Cost accruing now',
          ['Job', 'GPUs', 'Rate', 'Cost so far', ''],
          running.map((j) => [
            j.label,
            `${j.gpuCount} × ${j.gpuType}`,
            formatHourlyRate(j.hourlyRate),
            formatMoney(accruedCost(j, fetchedAt, now)),
            button({
              label: 'Monitor',
              appearance: 'secondary',
              ariaLabel: `Open the monitor of ${j.label}`,
              onClick: () => bridge.post({ type: 'openMonitor', jobId: j.jobId }),
            }).element,
          ]),
          [2, 3],
        )
      : h('p', { class: 'muted' }, 'No job is running.'),
  );
}

function renderChartAndTables(): void {
  if (!data) return;
  const d = data.dashboard;
  const { unit, bars } = spendBars(d);
  chartTitle.textContent = unit === 'day' ? 'Spend per day' : 'Spend per month';
  canvas.setAttribute(
    'aria-label',
    `Spend per ${unit}: ${bars.map((b) => `${unit === 'month' ? formatPeriod(b.label) : b.label} ${formatMoney(b.total)}`).join(', ')}`,
  );
  const p = chartPalette();
  const labels = bars.map((b) => (unit === 'month' ? formatPeriod(b.label) : b.label.slice(5)));
  chart?.destroy();
  chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          label: 'Spend',
          data: bars.map((b) => b.total),
          backgroundColor: p.series[0],
          borderColor: p.foreground,
          borderWidth: p.lineWidth > 2 ? 1 : 0,
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { ticks: { color: p.muted }, grid: { color: p.grid } },
        y: {
          beginAtZero: true,
          ticks: { color: p.muted, callback: (v) => formatMoney(Number(v)) },
          grid: { color: p.grid },
        },
      },
      plugins: {
        tooltip: { callbacks: { label: (i: TooltipItem<'bar'>) => formatMoney(i.parsed.y) } },
      },
    },
  });
  replace(
    tables,
    h(
      'section',
      { attrs: { 'aria-labelledby': 'h-jobs' } },
      h('h2', { id: 'h-jobs' }, 'By job'),
      d.by_job.length
        ? table(
            'Most expensive jobs in the window',
            ['Job', 'GPU type', 'Cost'],
            d.by_job.map((j) => [
              j.job_id
                ? h(
                    'a',
                    {
                      attrs: { href: '#', role: 'button' },
                      on: {
                        click: (e) => {
                          e.preventDefault();
                          bridge.post({ type: 'openMonitor', jobId: j.job_id! });
                        },
                      },
                    },
                    j.job_name ?? j.job_id.slice(0, 8),
                  )
                : (j.job_name ?? 'Deleted job'),
              j.gpu_type ?? '—',
              formatMoney(j.total),
            ]),
            [2],
          )
        : h('p', { class: 'muted' }, 'No recorded job costs yet.'),
    ),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'h-gpus' } },
      h('h2', { id: 'h-gpus' }, 'By GPU type'),
      d.by_gpu_type.length
        ? table(
            'Spend per GPU type',
            ['GPU type', 'GPU hours', 'Cost'],
            d.by_gpu_type.map((g) => [
              g.gpu_type ?? 'Storage',
              g.hours.toFixed(2),
              formatMoney(g.total),
            ]),
            [1, 2],
          )
        : h('p', { class: 'muted' }, 'No recorded GPU costs yet.'),
      h('p', { class: 'muted' }, `Total in the window: ${formatMoney(d.total_in_window)}`),
    ),
  );
}

function onMessage(message: CostToWebview): void {
  switch (message.type) {
    case 'dashboard':
      banner.textContent = '';
      data = {
        dashboard: message.dashboard,
        running: message.running,
        fetchedAt: message.fetchedAt,
      };
      renderOverview();
      renderChartAndTables();
      return;
    case 'error':
      banner.textContent = message.message;
      return;
  }
}

onThemeChange(renderChartAndTables);
// Running jobs accrue cost every second between refreshes.
setInterval(() => {
  if (data && data.running.length > 0) renderOverview();
}, 1000);

bridge.post({ type: 'ready' });
