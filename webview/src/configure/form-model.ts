/**
 * The configure panel's form as plain data: field descriptions, presets, parsing and validation
 * against the limits of training.md §1 (common/training, never copied), the request it submits
 * and the local estimate. The DOM layer only renders this model and feeds user input back.
 */
import type { CreateJobRequest, DatasetSummary } from '../../../common/api/types.ts';
import { BASE_MODEL_IDS } from '../../../common/training/base-models.ts';
import { estimateJobCost, type CostEstimate } from '../../../common/training/cost-model.ts';
import {
  DEFAULT_GPU_TYPE,
  GPU_CATALOG,
  gpuSpec,
  type GpuType,
} from '../../../common/training/gpu-catalog.ts';
import {
  GPU_COUNT_LIMIT,
  HYPERPARAMETER_DEFAULTS,
  HYPERPARAMETER_LIMITS,
  limitMessage,
  type HyperparameterName,
  type Hyperparameters,
  type NumericLimit,
} from '../../../common/training/limits.ts';
import {
  DEFAULT_PRESET_ID,
  PRESET_IDS,
  PRESETS,
  presetValues,
  type PresetId,
  type PresetValues,
} from '../../../common/training/presets.ts';

export interface FieldSpec extends NumericLimit {
  label: string;
  /** One line a user reads next to the field. */
  explanation: string;
  /** Increment for the field's spinner. */
  step: number;
}

const TEXT: Record<HyperparameterName, { label: string; explanation: string; step: number }> = {
  learning_rate: {
    label: 'Learning rate',
    explanation: 'Size of each update: too high diverges, too low learns slowly.',
    step: 0.00001,
  },
  batch_size: {
    label: 'Batch size',
    explanation: 'Training pairs per step on each GPU; larger needs more GPU memory.',
    step: 1,
  },
  epochs: {
    label: 'Epochs',
    explanation: 'Passes over the whole dataset; many passes can overfit a small dataset.',
    step: 1,
  },
  lora_rank: {
    label: 'LoRA rank',
    explanation: 'Size of the adapter matrices: higher learns more and uses more memory.',
    step: 1,
  },
  lora_alpha: {
    label: 'LoRA alpha',
    explanation: "Scale of the adapter's update; usually twice the rank.",
    step: 1,
  },
  lora_dropout: {
    label: 'LoRA dropout',
    explanation: 'Share of adapter activations dropped while training, against overfitting.',
    step: 0.01,
  },
  warmup_ratio: {
    label: 'Warm-up ratio',
    explanation: 'Share of the steps spent ramping the learning rate up from zero.',
    step: 0.01,
  },
  max_seq_length: {
    label: 'Max sequence length',
    explanation: 'Longest sample in tokens; longer samples are truncated.',
    step: 128,
  },
  gradient_accumulation_steps: {
    label: 'Gradient accumulation',
    explanation: 'Steps summed into one update: a larger effective batch without more memory.',
    step: 1,
  },
  validation_split: {
    label: 'Validation split',
    explanation: 'Share of the pairs held out to measure validation loss.',
    step: 0.01,
  },
};

export const FIELD_SPECS: readonly FieldSpec[] = HYPERPARAMETER_LIMITS.map((limit) => ({
  ...limit,
  ...TEXT[limit.name],
}));

export const PRESET_TEXT: Record<PresetId, { label: string; description: string }> = {
  conservative: {
    label: 'Conservative',
    description: 'Low learning rate, small adapter, 3 epochs.',
  },
  balanced: { label: 'Balanced', description: 'A good default for most datasets.' },
  aggressive: { label: 'Aggressive', description: 'Faster learning, larger adapter, 10 epochs.' },
  custom: { label: 'Custom', description: 'Set every value yourself, within the limits.' },
};

export const BASE_MODEL_EXPLANATION = 'The pretrained model the LoRA adapter is trained on.';
export const GPU_TYPE_EXPLANATION = 'GPU model; price and speed per GPU are from the catalog.';
export const GPU_COUNT_EXPLANATION = `GPUs for the job (${GPU_COUNT_LIMIT.min}–${GPU_COUNT_LIMIT.max}); more is faster and costs more per hour.`;

/** What the user typed: every numeric field is kept as text so a half-typed value survives. */
export interface FormState {
  datasetId: string | null;
  jobName: string;
  presetId: PresetId;
  baseModel: string;
  values: Record<HyperparameterName, string>;
  gpuType: GpuType;
  gpuCount: string;
}

function presetHyperparameters(preset: Partial<PresetValues>): Record<HyperparameterName, string> {
  const merged = { ...HYPERPARAMETER_DEFAULTS, ...preset };
  const alpha = preset.lora_alpha ?? 2 * merged.lora_rank;
  const out = {} as Record<HyperparameterName, string>;
  for (const spec of FIELD_SPECS) {
    out[spec.name] = String(spec.name === 'lora_alpha' ? alpha : merged[spec.name]);
  }
  return out;
}

export function initialForm(datasetId: string | null = null): FormState {
  return {
    datasetId,
    jobName: '',
    presetId: DEFAULT_PRESET_ID,
    baseModel: HYPERPARAMETER_DEFAULTS.base_model,
    values: presetHyperparameters(presetValues(DEFAULT_PRESET_ID)),
    gpuType: DEFAULT_GPU_TYPE,
    gpuCount: '1',
  };
}

/** Choosing a preset card fills its fields; `custom` keeps the current values. */
export function applyPreset(form: FormState, presetId: PresetId): FormState {
  if (presetId === 'custom') return { ...form, presetId };
  return { ...form, presetId, values: { ...form.values, ...presetStrings(PRESETS[presetId]) } };
}

function presetStrings(values: PresetValues): Partial<Record<HyperparameterName, string>> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
}

/** The preset whose values the form matches, or `custom` (what the API would record too). */
export function matchingPreset(values: Record<HyperparameterName, string>): PresetId {
  for (const id of PRESET_IDS) {
    if (id === 'custom') continue;
    const fixed = PRESETS[id];
    const all = (Object.keys(fixed) as (keyof PresetValues)[]).every(
      (name) => Number(values[name]) === fixed[name] && values[name].trim() !== '',
    );
    if (all) return id;
  }
  return 'custom';
}

/** Sets one field from user input; the preset follows (a changed preset becomes `custom`). */
export function setField(form: FormState, name: HyperparameterName, raw: string): FormState {
  const values = { ...form.values, [name]: raw };
  return { ...form, values, presetId: matchingPreset(values) };
}

export type ParsedField = { ok: true; value: number } | { ok: false; message: string };

export function parseNumber(
  raw: string,
  limit: { name: string; kind: 'integer' | 'number'; min: number; max: number },
): ParsedField {
  const text = raw.trim();
  if (text === '') return { ok: false, message: `${limit.name} is required` };
  const value = Number(text);
  const inRange =
    Number.isFinite(value) &&
    (limit.kind === 'number' || Number.isInteger(value)) &&
    value >= limit.min &&
    value <= limit.max;
  return inRange ? { ok: true, value } : { ok: false, message: limitMessage(limit, limit) };
}

export interface FormValidation {
  /** Message per field name (`learning_rate`, `gpu_count`, `dataset`, `base_model`, `job_name`). */
  errors: Partial<Record<string, string>>;
  valid: boolean;
  hyperparameters: Hyperparameters | null;
  gpu: { type: GpuType; count: number } | null;
}

export const JOB_NAME_MAX = 200;

export function validateForm(form: FormState, datasets: readonly DatasetSummary[]): FormValidation {
  const errors: Partial<Record<string, string>> = {};
  const dataset = datasets.find((d) => d.id === form.datasetId);
  if (!form.datasetId) errors.dataset = 'Choose a dataset';
  else if (!dataset) errors.dataset = 'The dataset is not in the list of ready datasets';
  else if (!isTrainable(dataset)) errors.dataset = 'Dataset not ready for training';

  if (form.jobName.length > JOB_NAME_MAX) {
    errors.job_name = `The job name must be at most ${JOB_NAME_MAX} characters`;
  }
  if (!BASE_MODEL_IDS.includes(form.baseModel)) {
    errors.base_model = `base_model must be one of ${BASE_MODEL_IDS.join(', ')}`;
  }
  const values: Partial<Hyperparameters> = { base_model: form.baseModel };
  for (const spec of FIELD_SPECS) {
    const parsed = parseNumber(form.values[spec.name], spec);
    if (parsed.ok) values[spec.name] = parsed.value;
    else errors[spec.name] = parsed.message;
  }
  const count = parseNumber(form.gpuCount, {
    name: 'gpu_config.count',
    kind: 'integer',
    ...GPU_COUNT_LIMIT,
  });
  if (!count.ok) errors.gpu_count = count.message;
  if (!gpuSpec(form.gpuType)) {
    errors.gpu_type = `gpu_config.type must be one of ${GPU_CATALOG.map((g) => g.type).join(', ')}`;
  }

  const valid = Object.keys(errors).length === 0;
  return {
    errors,
    valid,
    hyperparameters: valid ? (values as Hyperparameters) : null,
    gpu: count.ok && gpuSpec(form.gpuType) ? { type: form.gpuType, count: count.value } : null,
  };
}

export function isTrainable(d: DatasetSummary): boolean {
  return (
    d.status === 'ready' &&
    d.training_ready &&
    (d.total_training_pairs ?? 0) > 0 &&
    (d.total_tokens ?? 0) > 0
  );
}

/** The request for POST /jobs (and, without the name, POST /jobs/estimate). */
export function toJobRequest(form: FormState, v: FormValidation): CreateJobRequest | null {
  if (!v.valid || !v.hyperparameters || !v.gpu || !form.datasetId) return null;
  const name = form.jobName.trim();
  return {
    dataset_id: form.datasetId,
    ...(name ? { name } : {}),
    preset_id: form.presetId,
    hyperparameters: { ...v.hyperparameters },
    gpu_config: { ...v.gpu },
  };
}

/**
 * The estimate computed here with the shared cost model, on every change. Only the fields the
 * cost model reads must be valid, so the figure stays visible while another field is being fixed.
 */
export function localEstimate(
  form: FormState,
  datasets: readonly DatasetSummary[],
): CostEstimate | null {
  const dataset = datasets.find((d) => d.id === form.datasetId);
  if (!dataset || !isTrainable(dataset)) return null;
  const spec = gpuSpec(form.gpuType);
  const needed = [
    'batch_size',
    'gradient_accumulation_steps',
    'epochs',
    'validation_split',
  ] as const;
  const parsed = needed.map((n) => parseNumber(form.values[n], TEXT_LIMIT[n]));
  const count = parseNumber(form.gpuCount, { name: 'count', kind: 'integer', ...GPU_COUNT_LIMIT });
  if (!spec || !count.ok || parsed.some((p) => !p.ok)) return null;
  const [batch, accumulation, epochs, split] = parsed.map((p) => (p.ok ? p.value : 0));
  return estimateJobCost({
    gpu_config: { type: spec.type, count: count.value },
    hyperparameters: {
      batch_size: batch,
      gradient_accumulation_steps: accumulation,
      epochs,
      validation_split: split,
    },
    dataset: {
      total_training_pairs: dataset.total_training_pairs ?? 0,
      total_tokens: dataset.total_tokens ?? 0,
      total_conversations: dataset.total_conversations,
      name: dataset.name,
    },
  });
}

const TEXT_LIMIT = Object.fromEntries(HYPERPARAMETER_LIMITS.map((l) => [l.name, l])) as Record<
  HyperparameterName,
  NumericLimit
>;

/** Maps the API's 400 details (`hyperparameters.learning_rate`) onto the form's field names. */
export function fieldOfIssue(field: string): string {
  if (field === 'gpu_config.count') return 'gpu_count';
  if (field === 'gpu_config.type') return 'gpu_type';
  if (field === 'dataset_id') return 'dataset';
  if (field === 'name') return 'job_name';
  return field.replace(/^hyperparameters\./, '');
}

/**
 * The form saved in the panel's state, checked field by field after a reload; anything that
 * does not fit falls back to the initial form's value.
 */
export function restoreForm(saved: unknown): FormState | null {
  if (typeof saved !== 'object' || saved === null) return null;
  const s = saved as Partial<Record<keyof FormState, unknown>>;
  const form = initialForm(typeof s.datasetId === 'string' ? s.datasetId : null);
  if (typeof s.jobName === 'string') form.jobName = s.jobName.slice(0, JOB_NAME_MAX);
  if (typeof s.baseModel === 'string' && BASE_MODEL_IDS.includes(s.baseModel)) {
    form.baseModel = s.baseModel;
  }
  if (typeof s.gpuType === 'string' && gpuSpec(s.gpuType)) form.gpuType = s.gpuType as GpuType;
  if (typeof s.gpuCount === 'string') form.gpuCount = s.gpuCount.slice(0, 20);
  if (typeof s.values === 'object' && s.values !== null) {
    const values = s.values as Record<string, unknown>;
    for (const spec of FIELD_SPECS) {
      const v = values[spec.name];
      if (typeof v === 'string') form.values[spec.name] = v.slice(0, 50);
    }
  }
  form.presetId = matchingPreset(form.values);
  if (s.presetId === 'custom') form.presetId = 'custom';
  return form;
}

/** `1,234 pairs · 2.1M tokens` for the dataset picker. */
export function datasetLabel(d: DatasetSummary): string {
  const pairs = d.total_training_pairs ?? 0;
  const tokens = d.total_tokens ?? 0;
  const fmt = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
  const estimated = d.tokens_estimated ? ' (estimated)' : '';
  return `${d.name} — ${pairs.toLocaleString('en-US')} pairs · ${fmt.format(tokens)} tokens${estimated}`;
}
