import type { CountCacheLimits } from './count-cache.ts';
import { createEstimateCounter } from './estimate.ts';
import { tokenizerFamily } from './models.ts';
import { createTinyGptCounter } from './tiny-gpt.ts';
import type { TokenCounter } from './token-counter.ts';

export interface LoadTokenCounterOptions {
  /** Bounds of the per-counter content cache (Mistral and Llama 3). */
  cache?: CountCacheLimits;
}

/**
 * A counter for `baseModel`. The Mistral and Llama 3 modules, and with them their vocabulary
 * data, are imported only when such a model is asked for. Every call returns a counter with its
 * own cache; the decoded vocabulary is shared within a realm.
 */
export async function loadTokenCounter(
  baseModel: string,
  options: LoadTokenCounterOptions = {},
): Promise<TokenCounter> {
  switch (tokenizerFamily(baseModel)) {
    case 'mistral':
      return (await import('./mistral.ts')).createMistralCounter(baseModel, options.cache);
    case 'llama3':
      return (await import('./llama3.ts')).createLlama3Counter(baseModel, options.cache);
    case 'tiny-gpt':
      return createTinyGptCounter(baseModel);
    case undefined:
      return createEstimateCounter(baseModel);
  }
}
