import type { Hyperparameters } from './limits.ts';

/** Presets of training.md §1; `custom` sets nothing and keeps whatever the user chose. */
export type PresetId = 'conservative' | 'balanced' | 'aggressive' | 'custom';

export const PRESET_IDS: readonly PresetId[] = ['conservative', 'balanced', 'aggressive', 'custom'];

export const DEFAULT_PRESET_ID: PresetId = 'balanced';

export type PresetValues = Pick<
  Hyperparameters,
  'learning_rate' | 'batch_size' | 'epochs' | 'lora_rank' | 'lora_alpha' | 'lora_dropout'
>;

export const PRESETS: Readonly<Record<Exclude<PresetId, 'custom'>, PresetValues>> = {
  conservative: {
    learning_rate: 0.0001,
    batch_size: 4,
    epochs: 3,
    lora_rank: 8,
    lora_alpha: 16,
    lora_dropout: 0.05,
  },
  balanced: {
    learning_rate: 0.0002,
    batch_size: 8,
    epochs: 5,
    lora_rank: 16,
    lora_alpha: 32,
    lora_dropout: 0.1,
  },
  aggressive: {
    learning_rate: 0.0003,
    batch_size: 16,
    epochs: 10,
    lora_rank: 32,
    lora_alpha: 64,
    lora_dropout: 0.1,
  },
};

export function isPresetId(value: unknown): value is PresetId {
  return typeof value === 'string' && (PRESET_IDS as readonly string[]).includes(value);
}

/** The values a preset fixes (none for `custom`). */
export function presetValues(id: PresetId): Partial<PresetValues> {
  return id === 'custom' ? {} : PRESETS[id];
}
