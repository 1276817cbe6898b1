import type { ChatMessage } from '../engine/shape.ts';

/** Counts tokens the way one base model's tokenizer and chat template do. */
export interface TokenCounter {
  /** The base model id this counter was loaded for (as given by the user). */
  readonly modelId: string;
  /** The tokenizer, e.g. 'mistral-sentencepiece'; an estimate's name contains 'estimate'. */
  readonly name: string;
  /** False when counts are a heuristic estimate, not the model's tokenizer. */
  readonly exact: boolean;
  /** Tokens of a message's content as it appears inside the chat template. */
  countText(text: string): number;
  /** Tokens of a rendered sample: the rule of README.md (content + template overhead). */
  countSample(messages: readonly ChatMessage[]): number;
}

/** What the statistics record about the tokenizer that produced their counts. */
export interface TokenizerInfo {
  model: string;
  name: string;
  exact: boolean;
}

export function tokenizerInfo(counter: TokenCounter): TokenizerInfo {
  return { model: counter.modelId, name: counter.name, exact: counter.exact };
}
