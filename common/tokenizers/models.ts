/** Tokenizer families with a real tokenizer behind them. */
export type TokenizerFamily = 'mistral' | 'llama3' | 'tiny-gpt';

export interface SupportedBaseModel {
  id: string;
  family: TokenizerFamily;
}

/** Base models whose token counts are exact; any other id gets a labelled estimate. */
export const SUPPORTED_BASE_MODELS: readonly SupportedBaseModel[] = [
  { id: 'mistralai/Mistral-7B-v0.1', family: 'mistral' },
  { id: 'mistralai/Mistral-7B-Instruct-v0.2', family: 'mistral' },
  { id: 'meta-llama/Meta-Llama-3-8B', family: 'llama3' },
  { id: 'meta-llama/Meta-Llama-3-8B-Instruct', family: 'llama3' },
  { id: 'meta-llama/Llama-3.1-8B-Instruct', family: 'llama3' },
  { id: 'builtin/tiny-gpt', family: 'tiny-gpt' },
];

/** The family of a base model id (Hugging Face ids are case-insensitive), or undefined. */
export function tokenizerFamily(baseModel: string): TokenizerFamily | undefined {
  const wanted = baseModel.trim().toLowerCase();
  return SUPPORTED_BASE_MODELS.find((m) => m.id.toLowerCase() === wanted)?.family;
}
