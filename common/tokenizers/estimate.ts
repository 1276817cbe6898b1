import { TemplatedCounter, type ChatTemplateCost } from './chat-template.ts';
import type { TokenCounter } from './token-counter.ts';

/** A generic chat template: BOS, and a role header and an end marker around each message. */
export const ESTIMATE_TEMPLATE: ChatTemplateCost = {
  perSample: 1,
  perMessage: { system: 4, user: 4, assistant: 4, tool: 4 },
};

const CHARS_PER_TOKEN = 3.6;

/**
 * A tokenizer-free estimate for models we have no tokenizer for. Modern BPE vocabularies give
 * about 3.6 characters of English per token; words count at least one token each, punctuation
 * and symbols are mostly their own tokens, digits go in groups of about three, and characters
 * outside Latin-1 (CJK, emoji) are about one token each. The larger of the character-based and
 * the structure-based figure is taken, since each undercounts a different kind of text.
 */
export function estimateTokens(text: string): number {
  let structural = 0;
  let wordLen = 0;
  let digitLen = 0;
  const flush = (): void => {
    if (wordLen > 0) structural += Math.ceil(wordLen / 6);
    if (digitLen > 0) structural += Math.ceil(digitLen / 3);
    wordLen = 0;
    digitLen = 0;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const isLetter =
      (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c < 0x250);
    const isDigit = c >= 0x30 && c <= 0x39;
    if (isLetter) {
      if (digitLen > 0) flush();
      wordLen++;
    } else if (isDigit) {
      if (wordLen > 0) flush();
      digitLen++;
    } else {
      flush();
      if (c >= 0xdc00 && c <= 0xdfff) continue; // the second half of a pair counted already
      if (c === 0x20) continue; // a space usually joins the next word's token
      structural++;
    }
  }
  flush();
  return Math.max(structural, Math.ceil(text.length / CHARS_PER_TOKEN));
}

export function createEstimateCounter(modelId: string): TokenCounter {
  return new TemplatedCounter(
    { modelId, name: 'estimate-chars-words', exact: false },
    estimateTokens,
    ESTIMATE_TEMPLATE,
  );
}
