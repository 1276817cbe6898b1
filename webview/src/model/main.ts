/** The model panel app: quality, training summary, configuration, checkpoints, files. */
import '../components/base.css';
import './model.css';
import type { Checkpoint, ModelArtifact } from '../../../common/api/types.ts';
import { button, registerControls, type Button } from '../components/controls.ts';
import { facts, h, replace, table } from '../components/dom.ts';
import {
  formatBytes,
  formatHours,
  formatInteger,
  formatLoss,
  formatMoney,
  formatPercent,
  formatTimestamp,
} from '../format/format.ts';
import { modelToWebview, type ModelToHost, type ModelToWebview } from '../shared/messages.ts';
import { connect } from '../shared/vscode-bridge.ts';
import { configRows, fileRows, scoreStars } from './model-view.ts';

registerControls();

const bridge = connect<ModelToWebview, ModelToHost, { modelId: string }>(modelToWebview, onMessage);
const app = document.getElementById('app') as HTMLElement;
const banner = h('div', { class: 'error-banner', role: 'alert' });
const downloadStatus = h('p', { id: 'download-status', attrs: { 'aria-live': 'polite' } });
const content = h('div', {}, h('p', { class: 'loading' }, 'Loading the model…'));
let model: ModelArtifact | null = null;
const downloadButtons: Button[] = [];

replace(app, h('h1', { id: 'model-name' }, 'Model'), banner, downloadStatus, content);
app.removeAttribute('aria-busy');

function render(m: ModelArtifact, checkpoints: Checkpoint[]): void {
  model = m;
  downloadButtons.length = 0;
  (document.getElementById('model-name') as HTMLElement).textContent = m.name;
  const q = m.quality_metrics;
  const stars = scoreStars(m.overall_score ?? q?.overall_score);
  const s = m.training_summary;
  const files = fileRows(m);
  const downloadAll = button({
    id: 'download-all',
    label: 'Download All',
    ariaLabel: `Download all ${files.length} files`,
    onClick: () => download(files.map((f) => f.name)),
    disabled: files.length === 0 || m.status !== 'ready',
  });
  downloadButtons.push(downloadAll);
  replace(
    content,
    h(
      'p',
      { class: 'muted' },
      `${m.base_model} · ${m.status} · created ${formatTimestamp(m.created_at)}`,
    ),
    m.error_message ? h('p', { class: 'error-banner' }, m.error_message) : null,
    h(
      'section',
      { attrs: { 'aria-labelledby': 'h-quality' } },
      h('h2', { id: 'h-quality' }, 'Quality'),
      q
        ? facts(
            [
              [
                'Score',
                h(
                  'span',
                  { class: 'stars', attrs: { 'aria-label': stars.label }, id: 'quality-score' },
                  stars.stars,
                ),
              ],
              ['Convergence', q.convergence_quality],
              ['Loss reduction', formatPercent(q.loss_reduction_percent, 1)],
              ['Final training loss', formatLoss(q.final_training_loss)],
              ['Final validation loss', formatLoss(q.final_validation_loss)],
              ['Perplexity', q.perplexity === null ? '—' : q.perplexity.toFixed(2)],
            ],
            'Quality metrics',
          )
        : h('p', { class: 'muted' }, 'No quality metrics yet.'),
    ),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'h-summary' } },
      h('h2', { id: 'h-summary' }, 'Training summary'),
      s
        ? facts(
            [
              ['Dataset', s.dataset_name ?? '—'],
              ['Epochs', formatInteger(s.epochs_completed)],
              ['Steps', formatInteger(s.total_steps)],
              ['Final loss', formatLoss(s.final_loss)],
              ['Duration', formatHours(s.training_duration_hours)],
              ['Cost', formatMoney(s.total_cost)],
              ['GPUs', `${s.gpu_count} × ${s.gpu_type}`],
            ],
            'Training summary',
          )
        : h('p', { class: 'muted' }, 'No training summary yet.'),
      button({
        label: 'Open Training Monitor',
        appearance: 'secondary',
        onClick: () => bridge.post({ type: 'openMonitor', jobId: m.job_id }),
      }).element,
    ),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'h-files' } },
      h('h2', { id: 'h-files' }, 'Files'),
      h(
        'div',
        { class: 'toolbar' },
        downloadAll.element,
        h(
          'span',
          { class: 'muted' },
          `Total ${formatBytes(m.total_size ?? files.reduce((a, f) => a + f.size, 0))}`,
        ),
      ),
      table(
        'Model files',
        ['File', 'Size', ''],
        files.map((f) => {
          const b = button({
            label: 'Download',
            appearance: 'secondary',
            ariaLabel: `Download ${f.name}`,
            onClick: () => download([f.name]),
            disabled: m.status !== 'ready',
          });
          downloadButtons.push(b);
          return [h('code', {}, f.name), formatBytes(f.size), b.element];
        }),
        [1],
      ),
    ),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'h-checkpoints' } },
      h('h2', { id: 'h-checkpoints' }, 'Checkpoints'),
      checkpoints.length
        ? table(
            'Checkpoints per epoch',
            ['Epoch', 'Step', 'Training loss', 'Validation loss', 'Size', 'Saved'],
            checkpoints.map((c) => [
              formatInteger(c.epoch),
              formatInteger(c.step),
              formatLoss(c.training_loss),
              formatLoss(c.validation_loss),
              formatBytes(c.file_size),
              formatTimestamp(c.created_at),
            ]),
            [0, 1, 2, 3, 4],
          )
        : h('p', { class: 'muted' }, 'No checkpoints were recorded.'),
    ),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'h-config' } },
      h('h2', { id: 'h-config' }, 'Configuration'),
      table(
        'Training configuration',
        ['Setting', 'Value'],
        configRows(m.config).map((r) => [h('code', {}, r.key), r.value]),
      ),
    ),
  );
}

function download(files: string[]): void {
  if (!model || files.length === 0) return;
  for (const b of downloadButtons) b.setDisabled(true);
  bridge.post({ type: 'download', modelId: model.id, files });
}

function onMessage(message: ModelToWebview): void {
  switch (message.type) {
    case 'model':
      banner.textContent = '';
      bridge.saveState({ modelId: message.model.id });
      render(message.model, message.checkpoints);
      return;
    case 'download':
      downloadStatus.textContent = message.message;
      downloadStatus.dataset.state = message.state;
      if (message.state !== 'started') {
        for (const b of downloadButtons) b.setDisabled(model?.status !== 'ready');
      }
      return;
    case 'error':
      banner.textContent = message.message;
      return;
  }
}

bridge.post({ type: 'ready' });
