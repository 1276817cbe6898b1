import { SUPPORTED_BASE_MODELS } from '../tokenizers/models.ts';

/**
 * The model catalog `base_model` is checked against: the base models the tokenizers count
 * exactly, so every accepted job gets exact token counts and cost estimates. The SQL function
 * repeats the list; a db test checks they agree.
 */
export const BASE_MODEL_IDS: readonly string[] = SUPPORTED_BASE_MODELS.map((m) => m.id);

/** The catalog spelling of a base model id (Hugging Face ids are case-insensitive). */
export function catalogBaseModel(id: string): string | undefined {
  const wanted = id.trim().toLowerCase();
  return BASE_MODEL_IDS.find((m) => m.toLowerCase() === wanted);
}
