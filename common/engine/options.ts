import type { SeverityOverrides } from './rule-codes.ts';
import type { LineShape } from './shape.ts';

export const DEFAULT_BASE_MODEL = 'mistralai/Mistral-7B-v0.1';
export const DEFAULT_MAX_SEQ_LENGTH = 2048;

export interface EngineOptions {
  /** Tokenizer and sequence-length checks follow this model. */
  baseModel: string;
  maxSeqLength: number;
  /** When false: no token statistics and no BRL040. */
  tokens: boolean;
  severityOverrides: SeverityOverrides;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  baseModel: DEFAULT_BASE_MODEL,
  maxSeqLength: DEFAULT_MAX_SEQ_LENGTH,
  tokens: true,
  severityOverrides: {},
};

/** Options for analysing one line. */
export interface LineOptions {
  /** The file's shape so far (from its first data line); lines without markers get it. */
  expectedShape: LineShape | undefined;
}
