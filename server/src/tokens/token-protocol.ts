import type { ChatMessage } from '../../../common/engine/shape.ts';
import type { CountCacheLimits } from '../../../common/tokenizers/count-cache.ts';
import type { TokenizerInfo } from '../../../common/tokenizers/token-counter.ts';

/** What the pool passes to each token worker at start-up. */
export interface TokenWorkerData {
  baseModel: string;
  /** Bounds of the worker's content cache (defaults in token-worker.ts). */
  cache?: CountCacheLimits;
}

/** Pool → worker: count each sample (a rendered chat). */
export interface CountRequest {
  id: number;
  samples: ChatMessage[][];
}

/** Worker → pool messages. */
export type TokenWorkerMessage =
  | { type: 'ready'; tokenizer: TokenizerInfo }
  | { type: 'counts'; id: number; counts: number[] }
  /** `id` is absent when the tokenizer could not be loaded at all. */
  | { type: 'error'; id?: number; message: string };
