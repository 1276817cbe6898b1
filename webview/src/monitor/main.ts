/** The training monitor app: live loss curves, stage, progress, ETA, cost, events, summary. */
import '../components/base.css';
import './monitor.css';
import type { MetricPoint, TrainingJob } from '../../../common/api/types.ts';
import { csvFileName, metricsToCsv } from '../chart/csv.ts';
import { MAX_SMOOTHING } from '../chart/ema.ts';
import {
  button,
  checkbox,
  progressBar,
  registerControls,
  select,
  slider,
} from '../components/controls.ts';
import { facts, h, replace } from '../components/dom.ts';
import { onThemeChange } from '../components/theme.ts';
import {
  formatInteger,
  formatLoss,
  formatMoney,
  formatPercent,
  formatSeconds,
  formatTimestamp,
} from '../format/format.ts';
import {
  monitorToWebview,
  type MonitorToHost,
  type MonitorToWebview,
  type RunOption,
} from '../shared/messages.ts';
import { connect } from '../shared/vscode-bridge.ts';
import { LossChart } from './loss-chart.ts';
import {
  costSoFar,
  describeFinalCost,
  etaSeconds,
  isTerminal,
  jobEvents,
  progressPercent,
  recentEvents,
  stageLabel,
  liveFigures,
  summaryQuality,
  type MonitorEvent,
} from './monitor-model.ts';

interface MonitorState {
  jobId: string;
  smoothing: number;
  logScale: boolean;
  overlays: string[];
}

registerControls();

const bridge = connect<MonitorToWebview, MonitorToHost, MonitorState>(monitorToWebview, onMessage);
const saved = readSavedState(bridge.savedState);
let job: TrainingJob | null = null;
let artifactId: string | null = null;
let events: MonitorEvent[] = [];
let runs: RunOption[] = [];
let smoothing = saved.smoothing;
let logScale = saved.logScale;
let pendingOverlays = new Set(saved.overlays);
let cancelRequested = false;

function readSavedState(state: unknown): Omit<MonitorState, 'jobId'> {
  const s = (typeof state === 'object' && state !== null ? state : {}) as Partial<MonitorState>;
  return {
    smoothing:
      typeof s.smoothing === 'number' && s.smoothing >= 0 && s.smoothing <= MAX_SMOOTHING
        ? s.smoothing
        : 0.6,
    logScale: s.logScale === true,
    overlays: Array.isArray(s.overlays)
      ? s.overlays.filter((x) => typeof x === 'string').slice(0, 20)
      : [],
  };
}

// Layout ------------------------------------------------------------------------------------

const app = document.getElementById('app') as HTMLElement;
const title = h('h1', {}, 'Training monitor');
const subtitle = h('p', { class: 'muted' });
const banner = h('div', { class: 'error-banner', role: 'alert' });
const stage = h('span', { class: 'stage-badge', id: 'stage' }, 'Loading…');
const progress = progressBar('Training progress');
const progressText = h('span', { id: 'progress-text' });
const statusFacts = h('div', { attrs: { 'aria-live': 'off' } });
const cancelButton = button({
  id: 'cancel',
  label: 'Cancel Job',
  appearance: 'secondary',
  ariaLabel: 'Cancel this training job',
  onClick: () => {
    if (!job) return;
    cancelButton.setDisabled(true);
    bridge.post({ type: 'cancel', jobId: job.id });
  },
  disabled: true,
});

const smoothingSlider = slider({
  id: 'smoothing',
  label: 'Smoothing',
  min: 0,
  max: MAX_SMOOTHING,
  step: 0.01,
  value: smoothing,
  format: (v) => v.toFixed(2),
  onInput: (v) => {
    smoothing = v;
    chart.setSmoothing(v);
    save();
  },
});
const logToggle = checkbox({
  id: 'log-scale',
  label: 'Log scale',
  checked: logScale,
  onChange: (checked) => {
    logScale = checked;
    chart.setLogScale(checked);
    save();
  },
});
const overlaySelect = select({
  id: 'overlay',
  ariaLabel: 'Compare with another run of this dataset',
  options: [{ value: '', label: 'Compare with…' }],
  value: '',
  onChange: (value) => {
    if (!value) return;
    if (chart.overlayIds.includes(value)) {
      chart.removeOverlay(value);
      renderOverlayOptions();
      save();
    } else bridge.post({ type: 'loadOverlay', jobId: value });
  },
});
const exportButton = button({
  id: 'export-csv',
  label: 'Export CSV',
  appearance: 'secondary',
  ariaLabel: 'Export every metric point as CSV',
  onClick: () => {
    if (!job) return;
    bridge.post({
      type: 'exportCsv',
      fileName: csvFileName(job.name, job.id),
      csv: metricsToCsv(chart.series.points),
    });
  },
});

const canvas = h('canvas', {
  id: 'loss-chart',
  role: 'img',
  attrs: {
    'aria-label': 'Training and validation loss against step, learning rate on the right axis',
  },
});
const chartSummary = h('p', { class: 'visually-hidden', attrs: { 'aria-live': 'polite' } });
const summary = h('section', { id: 'summary', attrs: { 'aria-labelledby': 'h-summary' } });
const eventList = h('ul', { class: 'events', id: 'events', attrs: { 'aria-live': 'polite' } });

replace(
  app,
  title,
  subtitle,
  banner,
  h(
    'section',
    { attrs: { 'aria-label': 'Status' } },
    h('div', { class: 'toolbar' }, stage, progress.element, progressText, cancelButton.element),
    statusFacts,
  ),
  summary,
  h(
    'section',
    { attrs: { 'aria-labelledby': 'h-chart' } },
    h('h2', { id: 'h-chart' }, 'Loss'),
    h(
      'div',
      { class: 'toolbar' },
      smoothingSlider.element,
      logToggle.element,
      overlaySelect.element,
      exportButton.element,
    ),
    h('div', { class: 'chart-box' }, canvas),
    chartSummary,
  ),
  h(
    'section',
    { attrs: { 'aria-labelledby': 'h-events' } },
    h('h2', { id: 'h-events' }, 'Recent events'),
    eventList,
  ),
);
app.removeAttribute('aria-busy');

const chart = new LossChart(canvas, { smoothing, logScale });
onThemeChange(() => chart.applyTheme());

// Behaviour ---------------------------------------------------------------------------------

function save(): void {
  if (!job) return;
  bridge.saveState({ jobId: job.id, smoothing, logScale, overlays: chart.overlayIds });
}

function renderStatus(): void {
  if (!job) return;
  const now = Date.now();
  const percent = progressPercent(job.progress);
  stage.textContent = stageLabel(job);
  stage.dataset.status = job.status;
  progress.set(percent);
  progressText.textContent = formatPercent(percent);
  const active = !isTerminal(job.status);
  cancelButton.setDisabled(!active || cancelRequested || Boolean(job.cancel_requested_at));
  cancelButton.element.hidden = !active;
  const live = liveFigures(job, chart.series.points);
  const steps = job.total_steps
    ? `${formatInteger(live.step)} of ${formatInteger(job.total_steps)}`
    : formatInteger(live.step);
  replace(
    statusFacts,
    facts(
      [
        ['Epoch', `${formatInteger(job.current_epoch)} of ${formatInteger(job.epochs)}`],
        ['Step', steps],
        ['Time left', active ? formatSeconds(etaSeconds(job, now)) : '—'],
        [
          active ? 'Cost so far' : 'Final cost',
          h('span', { id: 'cost-so-far' }, formatMoney(costSoFar(job, now))),
        ],
        ['Estimated cost', formatMoney(job.estimated_cost)],
        ['Training loss', formatLoss(live.trainingLoss)],
        ['Validation loss', formatLoss(live.validationLoss)],
        ['Started', formatTimestamp(job.started_at)],
      ],
      'Job status',
    ),
  );
}

function renderSummary(): void {
  if (!job || !isTerminal(job.status)) {
    summary.replaceChildren();
    summary.hidden = true;
    return;
  }
  summary.hidden = false;
  const heading = h('h2', { id: 'h-summary' }, 'Summary');
  if (job.status !== 'completed') {
    replace(
      summary,
      heading,
      h(
        'p',
        { class: job.status === 'failed' ? 'error-banner' : 'notice' },
        job.status === 'failed'
          ? `The job failed: ${job.error_message ?? 'no reason given'}`
          : 'The job was cancelled.',
      ),
    );
    return;
  }
  const q = summaryQuality(chart.series.points);
  const openModel = artifactId
    ? button({
        label: 'Open Model',
        onClick: () => bridge.post({ type: 'openModel', modelId: artifactId! }),
      }).element
    : h('p', { class: 'muted' }, 'The model files are being prepared…');
  replace(
    summary,
    heading,
    q
      ? facts(
          [
            ['Quality score', h('strong', { id: 'quality-score' }, `${q.overall_score} of 5`)],
            ['Convergence', q.convergence_quality],
            ['Loss reduction', formatPercent(q.loss_reduction_percent, 1)],
            ['Final training loss', formatLoss(q.final_training_loss)],
            ['Final validation loss', formatLoss(q.final_validation_loss)],
            ['Perplexity', q.perplexity === null ? '—' : q.perplexity.toFixed(2)],
            ['Final cost', h('span', { id: 'final-cost' }, describeFinalCost(job))],
          ],
          'Run summary',
        )
      : h('p', { class: 'muted' }, 'No metric points were recorded.'),
    openModel,
  );
}

function renderEvents(): void {
  replace(
    eventList,
    ...events.map((e) =>
      h(
        'li',
        { class: `event ${e.level}` },
        h('time', { class: 'muted' }, new Date(e.at).toISOString().slice(11, 19)),
        ' ',
        e.text,
      ),
    ),
  );
}

function renderOverlayOptions(): void {
  const shown = new Set(chart.overlayIds);
  overlaySelect.setOptions(
    [
      { value: '', label: runs.length ? 'Compare with…' : 'No other runs of this dataset' },
      ...runs.map((r) => ({
        value: r.jobId,
        label: `${shown.has(r.jobId) ? '✓ ' : ''}${r.label} (${r.status}, ${formatTimestamp(r.createdAt)})`,
      })),
    ],
    '',
  );
}

function describeLatest(points: readonly MetricPoint[]): void {
  const last = points[points.length - 1];
  if (!last) return;
  chartSummary.textContent = `Step ${last.step}: training loss ${formatLoss(last.training_loss)}${
    last.validation_loss !== null && last.validation_loss !== undefined
      ? `, validation loss ${formatLoss(last.validation_loss)}`
      : ''
  }.`;
}

function onMessage(message: MonitorToWebview): void {
  switch (message.type) {
    case 'job': {
      const added = jobEvents(job, message.job, Date.now());
      job = message.job;
      artifactId = message.artifactId;
      if (added.length) {
        events = recentEvents(events, added);
        renderEvents();
      }
      title.textContent = job.name ?? `Job ${job.id.slice(0, 8)}`;
      subtitle.textContent = `${job.base_model} · ${job.gpu_count} × ${job.gpu_type} · created ${formatTimestamp(job.created_at)}`;
      banner.textContent = '';
      save();
      renderStatus();
      renderSummary();
      return;
    }
    case 'metrics':
      if (message.reset) chart.reset(message.points);
      else chart.append(message.points);
      describeLatest(chart.series.points);
      renderStatus();
      if (job && isTerminal(job.status)) renderSummary();
      return;
    case 'runs':
      runs = message.runs;
      renderOverlayOptions();
      for (const id of pendingOverlays) {
        if (runs.some((r) => r.jobId === id)) bridge.post({ type: 'loadOverlay', jobId: id });
      }
      pendingOverlays = new Set();
      return;
    case 'overlay':
      chart.setOverlay(message.jobId, message.label, message.points);
      renderOverlayOptions();
      save();
      return;
    case 'cancelState':
      cancelRequested = message.state === 'requested';
      if (message.state === 'failed') banner.textContent = message.message;
      if (message.state === 'requested') {
        events = recentEvents(events, [
          { at: Date.now(), text: message.message, level: 'warning' },
        ]);
        renderEvents();
      }
      renderStatus();
      return;
    case 'error':
      banner.textContent = message.message;
      return;
  }
}

// ETA and running cost move between updates.
setInterval(() => {
  if (job && !isTerminal(job.status)) renderStatus();
}, 1000);

bridge.post({ type: 'ready' });
