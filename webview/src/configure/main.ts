/** The configure panel app: dataset, preset, hyperparameters, GPUs, live estimate, submit. */
import '../components/base.css';
import './configure.css';
import type { DatasetSummary, EstimateResponse } from '../../../common/api/types.ts';
import type { CostEstimate } from '../../../common/training/cost-model.ts';
import { BASE_MODEL_IDS } from '../../../common/training/base-models.ts';
import { GPU_CATALOG, type GpuType } from '../../../common/training/gpu-catalog.ts';
import { PRESET_IDS, type PresetId } from '../../../common/training/presets.ts';
import type { HyperparameterName } from '../../../common/training/limits.ts';
import {
  button,
  registerControls,
  select,
  textField,
  type TextField,
} from '../components/controls.ts';
import { facts, h, replace } from '../components/dom.ts';
import { formatHourlyRate, formatMoney } from '../format/format.ts';
import {
  configureToWebview,
  type ConfigureToHost,
  type ConfigureToWebview,
} from '../shared/messages.ts';
import { connect } from '../shared/vscode-bridge.ts';
import { describeEstimate, estimatesAgree } from './estimate-view.ts';
import {
  BASE_MODEL_EXPLANATION,
  FIELD_SPECS,
  GPU_COUNT_EXPLANATION,
  GPU_TYPE_EXPLANATION,
  PRESET_TEXT,
  applyPreset,
  datasetLabel,
  fieldOfIssue,
  initialForm,
  localEstimate,
  restoreForm,
  setField,
  toJobRequest,
  validateForm,
  type FormState,
  type FormValidation,
} from './form-model.ts';

/** Wait this long after the last keystroke before asking the server (the local figure is instant). */
const SERVER_ESTIMATE_DELAY_MS = 350;

registerControls();

let datasets: DatasetSummary[] = [];
let datasetsLoaded = false;
let validation: FormValidation;
let requestSeq = 0;
/** The request whose answer would confirm the current form. */
let pendingRequestId = -1;
let serverEstimate: EstimateResponse | null = null;
let serverError: string | null = null;
/** Errors the server reported on submit, by form field; cleared when that field changes. */
let serverFieldErrors: Partial<Record<string, string>> = {};
let submitting = false;
let estimateTimer: ReturnType<typeof setTimeout> | undefined;

const bridge = connect<ConfigureToWebview, ConfigureToHost, FormState>(
  configureToWebview,
  onMessage,
);
let form: FormState = restoreForm(bridge.savedState) ?? initialForm();

// Layout ------------------------------------------------------------------------------------

const app = document.getElementById('app') as HTMLElement;
const banner = h('div', { class: 'error-banner', role: 'alert' });
const errorSlots = new Map<string, HTMLElement>();
function errorSlot(name: string): HTMLElement {
  const el = h('div', {
    class: 'field-error',
    id: `error-${name}`,
    attrs: { 'aria-live': 'polite' },
  });
  errorSlots.set(name, el);
  return el;
}

const datasetSelect = select({
  id: 'dataset',
  ariaLabel: 'Dataset',
  options: [],
  value: '',
  onChange: (value) => update({ ...form, datasetId: value || null }, 'dataset'),
});
const refreshButton = button({
  label: 'Refresh',
  appearance: 'secondary',
  ariaLabel: 'Refresh the list of datasets',
  onClick: () => bridge.post({ type: 'refreshDatasets' }),
});
const datasetNote = h('p', { class: 'explanation' });

const jobName = textField({
  id: 'job-name',
  label: 'Job name (optional)',
  description: "Defaults to the dataset's name.",
  value: form.jobName,
  onInput: (value) => update({ ...form, jobName: value }, 'job_name'),
});

const presetButtons = new Map<PresetId, HTMLButtonElement>();
const presetGroup = h('div', {
  class: 'presets',
  role: 'radiogroup',
  attrs: { 'aria-label': 'Preset' },
});
for (const id of PRESET_IDS) {
  const card = h(
    'button',
    {
      class: 'preset-card',
      role: 'radio',
      attrs: { type: 'button', 'data-preset': id },
      on: { click: () => update(applyPreset(form, id), 'preset') },
    },
    h('span', { class: 'preset-title' }, PRESET_TEXT[id].label),
    h('span', { class: 'preset-description' }, PRESET_TEXT[id].description),
  );
  presetButtons.set(id, card);
  presetGroup.append(card);
}
// Arrow keys move between the cards, as in any radio group.
presetGroup.addEventListener('keydown', (event) => {
  const keys: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  const delta = keys[event.key];
  if (!delta) return;
  event.preventDefault();
  const i = PRESET_IDS.indexOf(form.presetId);
  const next = PRESET_IDS[(i + delta + PRESET_IDS.length) % PRESET_IDS.length];
  update(applyPreset(form, next), 'preset');
  presetButtons.get(next)?.focus();
});

const baseModel = select({
  id: 'base_model',
  ariaLabel: 'Base model',
  options: BASE_MODEL_IDS.map((m) => ({ value: m, label: m })),
  value: form.baseModel,
  onChange: (value) => update({ ...form, baseModel: value }, 'base_model'),
});

const fields = new Map<HyperparameterName, TextField>();
const fieldRows = FIELD_SPECS.map((spec) => {
  const range = `${spec.min} to ${spec.max}${spec.kind === 'integer' ? ', whole number' : ''}`;
  const field = textField({
    id: `field-${spec.name}`,
    label: spec.label,
    description: `${range}. ${spec.explanation}`,
    value: form.values[spec.name],
    inputMode: spec.kind === 'integer' ? 'numeric' : 'decimal',
    onInput: (value) => update(setField(form, spec.name, value), spec.name),
  });
  fields.set(spec.name, field);
  return h(
    'div',
    { class: 'field' },
    field.element,
    h('p', { class: 'explanation' }, h('span', { class: 'range' }, `${range}. `), spec.explanation),
    errorSlot(spec.name),
  );
});

const gpuType = select({
  id: 'gpu_type',
  ariaLabel: 'GPU type',
  options: GPU_CATALOG.map((g) => ({
    value: g.type,
    label: `${g.type} — ${formatHourlyRate(g.pricePerHour)}, ${g.tokensPerSecond} tokens/s, ${g.memoryGb} GB`,
  })),
  value: form.gpuType,
  onChange: (value) => update({ ...form, gpuType: value as GpuType }, 'gpu_type'),
});
const gpuCount = textField({
  id: 'gpu_count',
  label: 'GPU count',
  description: GPU_COUNT_EXPLANATION,
  value: form.gpuCount,
  inputMode: 'numeric',
  onInput: (value) => update({ ...form, gpuCount: value }, 'gpu_count'),
});

const estimateBox = h('div', { class: 'estimate', attrs: { 'aria-live': 'polite' } });
const estimateStatus = h('p', { class: 'estimate-status muted' });
const submitStatus = h('p', { class: 'muted', attrs: { 'aria-live': 'polite' } });
const submitButton = button({
  id: 'submit',
  label: 'Submit Training Job',
  onClick: submit,
  disabled: true,
});

replace(
  app,
  h('h1', {}, 'Configure training job'),
  banner,
  h(
    'section',
    { attrs: { 'aria-labelledby': 'h-dataset' } },
    h('h2', { id: 'h-dataset' }, 'Dataset'),
    h('div', { class: 'toolbar' }, datasetSelect.element, refreshButton.element),
    datasetNote,
    errorSlot('dataset'),
    h('div', { class: 'field' }, jobName.element, errorSlot('job_name')),
  ),
  h(
    'section',
    { attrs: { 'aria-labelledby': 'h-preset' } },
    h('h2', { id: 'h-preset' }, 'Preset'),
    presetGroup,
  ),
  h(
    'section',
    { attrs: { 'aria-labelledby': 'h-hyper' } },
    h('h2', { id: 'h-hyper' }, 'Hyperparameters'),
    h(
      'div',
      { class: 'field' },
      h('label', { class: 'select-label', attrs: { for: 'base_model' } }, 'Base model'),
      baseModel.element,
      h('p', { class: 'explanation' }, BASE_MODEL_EXPLANATION),
      errorSlot('base_model'),
    ),
    h('div', { class: 'fields' }, ...fieldRows),
  ),
  h(
    'section',
    { attrs: { 'aria-labelledby': 'h-gpu' } },
    h('h2', { id: 'h-gpu' }, 'GPU'),
    h(
      'div',
      { class: 'fields' },
      h(
        'div',
        { class: 'field' },
        h('label', { class: 'select-label', attrs: { for: 'gpu_type' } }, 'GPU type'),
        gpuType.element,
        h('p', { class: 'explanation' }, GPU_TYPE_EXPLANATION),
        errorSlot('gpu_type'),
      ),
      h(
        'div',
        { class: 'field' },
        gpuCount.element,
        h('p', { class: 'explanation' }, GPU_COUNT_EXPLANATION),
        errorSlot('gpu_count'),
      ),
    ),
  ),
  h(
    'section',
    { attrs: { 'aria-labelledby': 'h-estimate' } },
    h('h2', { id: 'h-estimate' }, 'Estimate'),
    estimateBox,
    estimateStatus,
  ),
  h('div', { class: 'toolbar submit-bar' }, submitButton.element, submitStatus),
);
app.removeAttribute('aria-busy');

// Behaviour ---------------------------------------------------------------------------------

function update(next: FormState, changed: string): void {
  form = next;
  delete serverFieldErrors[changed];
  if (changed === 'dataset' || changed === 'preset') serverFieldErrors = {};
  bridge.saveState(form);
  refresh(true);
}

/** Re-renders from `form`; `formChanged` invalidates the server's estimate. */
function refresh(formChanged: boolean): void {
  validation = validateForm(form, datasets);
  if (formChanged) {
    serverEstimate = null;
    serverError = null;
    scheduleServerEstimate();
  }
  renderFields();
  renderEstimate(localEstimate(form, datasets));
  renderSubmit();
}

function renderFields(): void {
  datasetSelect.value = form.datasetId ?? '';
  for (const [id, card] of presetButtons) {
    const selected = id === form.presetId;
    card.setAttribute('aria-checked', String(selected));
    card.tabIndex = selected ? 0 : -1;
    card.classList.toggle('selected', selected);
  }
  for (const spec of FIELD_SPECS) fields.get(spec.name)!.value = form.values[spec.name];
  baseModel.value = form.baseModel;
  gpuType.value = form.gpuType;
  gpuCount.value = form.gpuCount;
  jobName.value = form.jobName;

  // Only show "required" style errors once datasets have arrived (no flash on load).
  const errors = { ...validation.errors, ...serverFieldErrors };
  if (!datasetsLoaded) delete errors.dataset;
  for (const [name, slot] of errorSlots) slot.textContent = errors[name] ?? '';
  for (const spec of FIELD_SPECS) fields.get(spec.name)!.setInvalid(Boolean(errors[spec.name]));
  gpuCount.setInvalid(Boolean(errors.gpu_count));
  jobName.setInvalid(Boolean(errors.job_name));

  const dataset = datasets.find((d) => d.id === form.datasetId);
  datasetNote.textContent = !datasetsLoaded
    ? 'Loading datasets…'
    : datasets.length === 0
      ? 'No dataset is ready for training yet. Upload one (BrightRun: Upload Dataset) and wait for validation.'
      : dataset
        ? `${(dataset.total_training_pairs ?? 0).toLocaleString('en-US')} training pairs, ${(dataset.total_tokens ?? 0).toLocaleString('en-US')} tokens${dataset.tokens_estimated ? ' (estimated)' : ''}.`
        : '';
}

function renderEstimate(local: CostEstimate | null): void {
  const shown: CostEstimate | null = serverEstimate ?? local;
  if (!shown) {
    replace(
      estimateBox,
      h('p', { class: 'muted' }, 'Choose a dataset and valid values to see the estimate.'),
    );
    estimateStatus.textContent = '';
    return;
  }
  const lines = describeEstimate(shown);
  replace(
    estimateBox,
    facts(
      [
        ['Estimated cost', h('strong', { id: 'estimate-cost' }, lines.cost)],
        ['Duration', h('span', { id: 'estimate-duration' }, lines.duration)],
        ['Steps', h('span', { id: 'estimate-steps' }, lines.steps)],
        ['Hourly rate', h('span', { id: 'estimate-rate' }, lines.hourlyRate)],
        ['Compute + storage', `${lines.compute} + ${lines.storage}`],
        ['Throughput', lines.throughput],
      ],
      'Estimate',
    ),
  );
  if (serverError) {
    estimateStatus.textContent = `The server could not confirm the estimate: ${serverError}`;
  } else if (!serverEstimate) {
    estimateStatus.textContent = validation.valid
      ? 'Local estimate; checking with the server…'
      : 'Local estimate.';
  } else if (local && !estimatesAgree(local, serverEstimate)) {
    estimateStatus.textContent = `Confirmed by the server, which computed ${formatMoney(serverEstimate.estimated_cost)} from the dataset's current statistics (shown).`;
  } else {
    estimateStatus.textContent = 'Confirmed by the server.';
  }
  estimateStatus.dataset.state = serverError ? 'error' : serverEstimate ? 'confirmed' : 'local';
}

function renderSubmit(): void {
  const ready = validation.valid && serverEstimate !== null && !submitting;
  submitButton.setDisabled(!ready);
  submitButton.setLabel(submitting ? 'Submitting…' : 'Submit Training Job');
  submitStatus.textContent = submitting
    ? 'Submitting the job…'
    : !validation.valid
      ? 'Fix the highlighted fields to submit.'
      : !serverEstimate
        ? 'Waiting for the server to confirm the estimate…'
        : `Submits for about ${formatMoney(serverEstimate.estimated_cost)}.`;
}

function scheduleServerEstimate(): void {
  if (estimateTimer !== undefined) clearTimeout(estimateTimer);
  pendingRequestId = -1;
  const request = toJobRequest(form, validation);
  if (!request) return;
  estimateTimer = setTimeout(() => {
    estimateTimer = undefined;
    pendingRequestId = ++requestSeq;
    const estimateRequest = {
      dataset_id: request.dataset_id,
      preset_id: request.preset_id,
      hyperparameters: request.hyperparameters,
      gpu_config: request.gpu_config,
    };
    bridge.post({ type: 'requestEstimate', requestId: pendingRequestId, request: estimateRequest });
  }, SERVER_ESTIMATE_DELAY_MS);
}

function submit(): void {
  const request = toJobRequest(form, validation);
  if (!request || !serverEstimate || submitting) return;
  submitting = true;
  banner.textContent = '';
  bridge.post({ type: 'submit', request });
  renderSubmit();
}

function onMessage(message: ConfigureToWebview): void {
  switch (message.type) {
    case 'datasets': {
      datasets = message.datasets;
      datasetsLoaded = true;
      const wanted = message.selectedDatasetId ?? form.datasetId;
      const datasetId = datasets.some((d) => d.id === wanted) ? wanted : (datasets[0]?.id ?? null);
      if (message.selectedDatasetId && datasetId !== message.selectedDatasetId) {
        banner.textContent = 'That dataset is not ready for training yet; choose a ready one.';
      }
      datasetSelect.setOptions(
        [
          { value: '', label: datasets.length ? 'Choose a dataset…' : 'No ready datasets' },
          ...datasets.map((d) => ({ value: d.id, label: datasetLabel(d) })),
        ],
        datasetId ?? '',
      );
      form = { ...form, datasetId };
      bridge.saveState(form);
      refresh(true);
      return;
    }
    case 'estimate':
      if (message.requestId !== pendingRequestId) return; // an answer for an older form
      serverEstimate = message.estimate;
      serverError = null;
      refresh(false);
      return;
    case 'estimateFailed':
      if (message.requestId !== pendingRequestId) return;
      serverError = message.message;
      applyIssues(message.issues);
      refresh(false);
      return;
    case 'submitted':
      submitting = false;
      banner.textContent = '';
      refresh(false);
      submitStatus.textContent = `Submitted "${message.label}"; its monitor is open.`;
      return;
    case 'submitFailed':
      submitting = false;
      banner.textContent = message.message;
      applyIssues(message.issues);
      refresh(false);
      return;
    case 'error':
      banner.textContent = message.message;
      return;
  }
}

function applyIssues(issues: { field: string; message: string }[]): void {
  for (const issue of issues) serverFieldErrors[fieldOfIssue(issue.field)] = issue.message;
}

refresh(false);
bridge.post({ type: 'ready' });
