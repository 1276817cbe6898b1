/**
 * Normalises and validates a job configuration (training.md §1–§2): aliases are renamed, an
 * unknown key is an error naming it, values outside the limits are errors naming the field and
 * range, presets and defaults fill the rest. Client-sent prices and memory sizes are dropped.
 * The SQL function `private.normalize_job_config` implements the same rules in the same order.
 */
import { BASE_MODEL_IDS, catalogBaseModel } from './base-models.ts';
import { DEFAULT_GPU_TYPE, GPU_CATALOG, gpuSpec, type GpuType } from './gpu-catalog.ts';
import {
  GPU_COUNT_LIMIT,
  HYPERPARAMETER_ALIASES,
  HYPERPARAMETER_DEFAULTS,
  HYPERPARAMETER_LIMITS,
  limitMessage,
  type Hyperparameters,
} from './limits.ts';
import {
  DEFAULT_PRESET_ID,
  PRESET_IDS,
  isPresetId,
  presetValues,
  type PresetId,
} from './presets.ts';

export interface JobConfig {
  preset_id: PresetId;
  hyperparameters: Hyperparameters;
  gpu_config: { type: GpuType; count: number };
}

export interface ConfigProblem {
  /** Dotted path of the offending input, e.g. `hyperparameters.learning_rate`. */
  field: string;
  message: string;
}

export type NormalizeResult =
  | { ok: true; config: JobConfig }
  | { ok: false; details: ConfigProblem[] };

const TOP_LEVEL_KEYS = ['preset_id', 'hyperparameters', 'gpu_config'];
const GPU_ALIASES: Readonly<Record<string, 'type' | 'count'>> = {
  type: 'type',
  gpu_type: 'type',
  count: 'count',
  num_gpus: 'count',
};
/** Price and memory fields a client may echo back from the catalog; ignored, never trusted. */
export const IGNORED_GPU_KEY = /price|cost|rate|memory|vram/i;

const CANONICAL_NAMES: readonly string[] = [
  'base_model',
  ...HYPERPARAMETER_LIMITS.map((l) => l.name),
];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Values given as JSON null count as not given, so a form can send empty fields. */
function given(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Renames aliases; reports unknown keys and a value given under two names. */
function canonicalKeys(
  raw: Record<string, unknown>,
  prefix: string,
  aliases: Readonly<Record<string, string>>,
  known: readonly string[],
  ignore: RegExp | undefined,
  problems: ConfigProblem[],
  label: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const source: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = aliases[key] ?? (known.includes(key) ? key : undefined);
    if (name === undefined) {
      if (ignore?.test(key)) continue;
      problems.push({ field: `${prefix}${key}`, message: `Unknown ${label} "${key}"` });
      continue;
    }
    if (!given(value)) continue;
    if (source[name] !== undefined) {
      problems.push({
        field: `${prefix}${name}`,
        message: `${name} given twice (as ${source[name]} and ${key})`,
      });
      continue;
    }
    source[name] = key;
    out[name] = value;
  }
  return out;
}

export function normalizeJobConfig(input: unknown): NormalizeResult {
  const problems: ConfigProblem[] = [];
  const raw = input === undefined || input === null ? {} : input;
  if (!isObject(raw)) {
    return { ok: false, details: [{ field: '', message: 'configuration must be an object' }] };
  }
  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      problems.push({ field: key, message: `Unknown configuration key "${key}"` });
    }
  }

  let preset: PresetId = DEFAULT_PRESET_ID;
  if (given(raw.preset_id)) {
    if (isPresetId(raw.preset_id)) preset = raw.preset_id;
    else {
      problems.push({
        field: 'preset_id',
        message: `preset_id must be one of ${PRESET_IDS.join(', ')}`,
      });
    }
  }

  const hyper = checkHyperparameters(raw.hyperparameters, problems);
  const gpu = checkGpuConfig(raw.gpu_config, problems);
  if (problems.length > 0) return { ok: false, details: problems };

  const fixed = presetValues(preset);
  const merged = { ...HYPERPARAMETER_DEFAULTS, ...fixed, ...hyper };
  const hyperparameters: Hyperparameters = {
    ...merged,
    lora_alpha: hyper.lora_alpha ?? 2 * merged.lora_rank,
  };
  // A preset the user changed is no longer that preset: record what actually runs.
  const changed = Object.entries(fixed).some(
    ([name, value]) => name in hyper && hyper[name as keyof typeof hyper] !== value,
  );
  return {
    ok: true,
    config: {
      preset_id: changed ? 'custom' : preset,
      hyperparameters,
      gpu_config: gpu,
    },
  };
}

function checkHyperparameters(value: unknown, problems: ConfigProblem[]): Partial<Hyperparameters> {
  if (!given(value)) return {};
  if (!isObject(value)) {
    problems.push({ field: 'hyperparameters', message: 'hyperparameters must be an object' });
    return {};
  }
  const named = canonicalKeys(
    value,
    'hyperparameters.',
    HYPERPARAMETER_ALIASES,
    CANONICAL_NAMES,
    undefined,
    problems,
    'hyperparameter',
  );
  const out: Partial<Record<keyof Hyperparameters, unknown>> = {};
  if (named.base_model !== undefined) {
    const model =
      typeof named.base_model === 'string' ? catalogBaseModel(named.base_model) : undefined;
    if (model === undefined) {
      problems.push({
        field: 'hyperparameters.base_model',
        message: `base_model must be one of ${BASE_MODEL_IDS.join(', ')}`,
      });
    } else out.base_model = model;
  }
  for (const limit of HYPERPARAMETER_LIMITS) {
    const v = named[limit.name];
    if (v === undefined) continue;
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (limit.kind === 'number' || Number.isInteger(v)) &&
      v >= limit.min &&
      v <= limit.max;
    if (ok) out[limit.name] = v;
    else
      problems.push({
        field: `hyperparameters.${limit.name}`,
        message: limitMessage(limit, limit),
      });
  }
  return out as Partial<Hyperparameters>;
}

function checkGpuConfig(value: unknown, problems: ConfigProblem[]): JobConfig['gpu_config'] {
  const fallback: JobConfig['gpu_config'] = { type: DEFAULT_GPU_TYPE, count: GPU_COUNT_LIMIT.min };
  if (!given(value)) return fallback;
  if (!isObject(value)) {
    problems.push({ field: 'gpu_config', message: 'gpu_config must be an object' });
    return fallback;
  }
  const named = canonicalKeys(
    value,
    'gpu_config.',
    GPU_ALIASES,
    [],
    IGNORED_GPU_KEY,
    problems,
    'gpu_config key',
  );
  const out = { ...fallback };
  if (named.type !== undefined) {
    const spec = typeof named.type === 'string' ? gpuSpec(named.type) : undefined;
    if (spec === undefined) {
      problems.push({
        field: 'gpu_config.type',
        message: `gpu_config.type must be one of ${GPU_CATALOG.map((g) => g.type).join(', ')}`,
      });
    } else out.type = spec.type;
  }
  if (named.count !== undefined) {
    const c = named.count;
    if (
      typeof c === 'number' &&
      Number.isInteger(c) &&
      c >= GPU_COUNT_LIMIT.min &&
      c <= GPU_COUNT_LIMIT.max
    ) {
      out.count = c;
    } else {
      problems.push({
        field: 'gpu_config.count',
        message: limitMessage({ name: 'gpu_config.count', kind: 'integer' }, GPU_COUNT_LIMIT),
      });
    }
  }
  return out;
}
