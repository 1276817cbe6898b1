// The JSON Schema of a training configuration file (`*.brightrun-job.json`), which VS Code
// uses for completion and validation. It is generated from the one definition of the limits,
// presets, GPU catalog and base models (common/training/); client/schemas/
// training-config.schema.json is this function's output, and a unit test fails when they drift.
// Regenerate after changing common/training/:
//   node --import tsx -e "import('./client/src/schemas/training-config-schema.ts').then((m) =>
//     require('fs').writeFileSync('client/schemas/training-config.schema.json',
//     JSON.stringify(m.trainingConfigSchema(), null, 2) + '\n'))" && npx prettier --write client/schemas
import {
  BASE_MODEL_IDS,
  GPU_CATALOG,
  GPU_COUNT_LIMIT,
  HYPERPARAMETER_DEFAULTS,
  HYPERPARAMETER_LIMITS,
  PRESET_IDS,
  limitMessage,
} from '../../../common/training/index.ts';

const EXPLANATIONS: Record<string, string> = {
  learning_rate: 'Step size of the optimiser: too high diverges (NaN loss), too low learns slowly.',
  batch_size: 'Samples per step per GPU: higher is faster but needs more GPU memory.',
  epochs: 'Passes over the dataset: more fits the data more closely (and may overfit).',
  lora_rank: 'Rank of the LoRA adapter matrices: higher captures more, costs memory.',
  lora_alpha: 'Scaling of the adapter update; usually twice the rank (the default when omitted).',
  lora_dropout: 'Dropout on the adapter inputs, against overfitting.',
  warmup_ratio: 'Share of the steps over which the learning rate ramps up from zero.',
  max_seq_length: 'Tokens per sample; longer samples are truncated.',
  gradient_accumulation_steps:
    'Steps whose gradients add up before one update (a larger effective batch).',
  validation_split: 'Share of the pairs held out to measure the validation loss.',
};

export function trainingConfigSchema(): Record<string, unknown> {
  const hyperparameters: Record<string, unknown> = {
    base_model: {
      type: 'string',
      enum: [...BASE_MODEL_IDS],
      default: HYPERPARAMETER_DEFAULTS.base_model,
      description: 'The model the LoRA adapter is trained for.',
    },
  };
  for (const limit of HYPERPARAMETER_LIMITS) {
    const fallback = (HYPERPARAMETER_DEFAULTS as Record<string, unknown>)[limit.name];
    hyperparameters[limit.name] = {
      type: limit.kind,
      minimum: limit.min,
      maximum: limit.max,
      ...(fallback !== undefined ? { default: fallback } : {}),
      description: `${EXPLANATIONS[limit.name] ?? ''} ${limitMessage(limit, limit)}.`.trim(),
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'BrightRun training job configuration',
    description:
      'A training job for "BrightRun: Submit Training Job" and the configure panel (training.md §1–§2). Generated from common/training/; do not edit by hand.',
    type: 'object',
    additionalProperties: false,
    properties: {
      name: {
        type: 'string',
        maxLength: 200,
        description: 'A name for the job (defaults to the dataset name).',
      },
      dataset_id: {
        type: 'string',
        format: 'uuid',
        description: 'The uploaded dataset to train on.',
      },
      preset_id: {
        type: 'string',
        enum: [...PRESET_IDS],
        default: 'balanced',
        description:
          'A preset fills learning rate, batch size, epochs and the LoRA values; `custom` keeps yours.',
      },
      hyperparameters: {
        type: 'object',
        additionalProperties: false,
        properties: hyperparameters,
      },
      gpu_config: {
        type: 'object',
        additionalProperties: false,
        properties: {
          type: {
            type: 'string',
            enum: GPU_CATALOG.map((g) => g.type),
            default: GPU_CATALOG[0].type,
            description: GPU_CATALOG.map((g) => `${g.type}: $${g.pricePerHour.toFixed(2)}/h`).join(
              ', ',
            ),
          },
          count: {
            type: 'integer',
            minimum: GPU_COUNT_LIMIT.min,
            maximum: GPU_COUNT_LIMIT.max,
            default: 1,
            description: `GPUs for the job, ${GPU_COUNT_LIMIT.min} to ${GPU_COUNT_LIMIT.max}.`,
          },
        },
      },
    },
  };
}
