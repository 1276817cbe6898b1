import type { ChatMessage, LineShape } from '../shape.ts';

/** Token distribution over samples (dataset-format.md §4). */
export interface TokenDistribution {
  min: number;
  p5: number;
  median: number;
  mean: number;
  p95: number;
  max: number;
  /** Samples longer than the max sequence length. */
  overMaxSeqLength: number;
}

/** The statistics of dataset-format.md §4, with the same names the database uses. */
export interface DatasetStats {
  shape: LineShape | undefined;
  total_training_pairs: number;
  total_samples: number;
  total_conversations: number;
  /** Undefined when tokens were not counted (`--no-tokens`). */
  total_tokens: number | undefined;
  avg_turns_per_conversation: number;
  avg_tokens_per_turn: number | undefined;
  token_distribution: TokenDistribution | undefined;
  /** How tokens were counted: the tokenizer's id, and whether the figure is an estimate. */
  tokenizer: { model: string; name: string; exact: boolean } | undefined;
  sample_data: ChatMessage[][];
}
