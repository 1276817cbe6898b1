import { SentencePieceBpe } from './bpe/sentencepiece-bpe.ts';
import { TemplatedCounter, type ChatTemplateCost } from './chat-template.ts';
import { CountCache, type CountCacheLimits } from './count-cache.ts';
import type { TokenCounter } from './token-counter.ts';

/**
 * Mistral v0.x instruct template: `<s>[INST] {system}\n\n{user} [/INST] {assistant}</s>[INST] …`.
 * With the v0.1 tokenizer '[INST]' is '▁[' 'INST' ']' (3), ' [/INST]' is '▁[' '/' 'INST' ']' (4),
 * '</s>' is one special token and '\n\n' two byte tokens. A tool message is counted like a user
 * message. Test `mistral.test.ts` checks these figures against mistral-tokenizer-js.
 */
export const MISTRAL_TEMPLATE: ChatTemplateCost = {
  perSample: 1,
  perMessage: { system: 2, user: 7, assistant: 1, tool: 7 },
};

let shared: Promise<SentencePieceBpe> | undefined;

/** The encoder over mistral-tokenizer-js's data, built once per realm (about 0.2 s, 10 MB). */
export function loadMistralBpe(): Promise<SentencePieceBpe> {
  // The package is imported lazily so that its 650 kB of baked vocabulary is only decoded when
  // a Mistral model is actually chosen.
  shared ??= import('mistral-tokenizer-js').then((m) => SentencePieceBpe.fromData(m.default));
  return shared;
}

export async function createMistralCounter(
  modelId: string,
  cacheLimits?: CountCacheLimits,
): Promise<TokenCounter> {
  const bpe = await loadMistralBpe();
  return new TemplatedCounter(
    { modelId, name: 'mistral-sentencepiece', exact: true },
    (text) => bpe.count(text),
    MISTRAL_TEMPLATE,
    new CountCache(cacheLimits),
  );
}
