/**
 * Hyperparameter limits and defaults of training.md §1 — the one table every host checks
 * against. The SQL function `private.normalize_job_config` repeats these bounds (Postgres cannot
 * import TypeScript); test/db/config-limits.test.ts walks this table against it so they cannot drift.
 */

export type HyperparameterName =
  | 'learning_rate'
  | 'batch_size'
  | 'epochs'
  | 'lora_rank'
  | 'lora_alpha'
  | 'lora_dropout'
  | 'warmup_ratio'
  | 'max_seq_length'
  | 'gradient_accumulation_steps'
  | 'validation_split';

export interface NumericLimit {
  name: HyperparameterName;
  kind: 'integer' | 'number';
  min: number;
  max: number;
}

/** Numeric hyperparameters in the order errors are reported. */
export const HYPERPARAMETER_LIMITS: readonly NumericLimit[] = [
  { name: 'learning_rate', kind: 'number', min: 0.00001, max: 0.001 },
  { name: 'batch_size', kind: 'integer', min: 1, max: 64 },
  { name: 'epochs', kind: 'integer', min: 1, max: 20 },
  { name: 'lora_rank', kind: 'integer', min: 4, max: 128 },
  { name: 'lora_alpha', kind: 'integer', min: 1, max: 512 },
  { name: 'lora_dropout', kind: 'number', min: 0, max: 0.5 },
  { name: 'warmup_ratio', kind: 'number', min: 0, max: 0.5 },
  { name: 'max_seq_length', kind: 'integer', min: 128, max: 32768 },
  { name: 'gradient_accumulation_steps', kind: 'integer', min: 1, max: 64 },
  { name: 'validation_split', kind: 'number', min: 0, max: 0.5 },
];

/** GPUs per job (training.md §2). */
export const GPU_COUNT_LIMIT = { min: 1, max: 8 } as const;

/** Every hyperparameter of a normalised configuration. */
export interface Hyperparameters {
  base_model: string;
  learning_rate: number;
  batch_size: number;
  epochs: number;
  lora_rank: number;
  lora_alpha: number;
  lora_dropout: number;
  warmup_ratio: number;
  max_seq_length: number;
  gradient_accumulation_steps: number;
  validation_split: number;
}

export const DEFAULT_BASE_MODEL = 'mistralai/Mistral-7B-v0.1';

/**
 * Defaults for values neither the user nor the preset sets. training.md §1 names defaults for
 * base_model, warmup_ratio, max_seq_length, gradient_accumulation_steps and validation_split;
 * the rest take the `balanced` preset's values (the product's default preset), and lora_alpha is
 * derived as 2 × rank when not given, so it is absent here.
 */
export const HYPERPARAMETER_DEFAULTS: Omit<Hyperparameters, 'lora_alpha'> = {
  base_model: DEFAULT_BASE_MODEL,
  learning_rate: 0.0002,
  batch_size: 8,
  epochs: 5,
  lora_rank: 16,
  lora_dropout: 0.1,
  warmup_ratio: 0.1,
  max_seq_length: 2048,
  gradient_accumulation_steps: 1,
  validation_split: 0.1,
};

/** Accepted input aliases → canonical names. */
export const HYPERPARAMETER_ALIASES: Readonly<Record<string, keyof Hyperparameters>> = {
  num_epochs: 'epochs',
  rank: 'lora_rank',
  alpha: 'lora_alpha',
  dropout: 'lora_dropout',
};

/** The message for a value outside its limits; the SQL function raises the same text. */
export function limitMessage(
  limit: { name: string; kind: 'integer' | 'number' },
  range: {
    min: number;
    max: number;
  },
): string {
  const what = limit.kind === 'integer' ? 'an integer' : 'a number';
  return `${limit.name} must be ${what} between ${range.min} and ${range.max}`;
}
