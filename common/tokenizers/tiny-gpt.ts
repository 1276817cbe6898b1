import { TemplatedCounter, type ChatTemplateCost } from './chat-template.ts';
import type { TokenCounter } from './token-counter.ts';

export const TINY_GPT_MODEL_ID = 'builtin/tiny-gpt';

/**
 * The local trainer's tiny model is byte-level: one token per UTF-8 byte of content, plus a BOS
 * per sample and, around each message, a role token before and an end-of-message token after.
 * The trainer (gpu-worker) renders samples with exactly these specials, so counts are exact.
 */
export const TINY_GPT_TEMPLATE: ChatTemplateCost = {
  perSample: 1,
  perMessage: { system: 2, user: 2, assistant: 2, tool: 2 },
};

/** UTF-8 length without allocating; a lone surrogate counts as U+FFFD (3 bytes), as TextEncoder does. */
export function utf8Length(text: string): number {
  let bytes = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

export function createTinyGptCounter(modelId: string = TINY_GPT_MODEL_ID): TokenCounter {
  // No cache: counting bytes is cheaper than a Map lookup.
  return new TemplatedCounter(
    { modelId, name: 'tiny-gpt-bytes', exact: true },
    utf8Length,
    TINY_GPT_TEMPLATE,
  );
}
