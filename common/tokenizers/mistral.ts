import { decodeCompact } from './bpe/compact-data.ts';
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
let compactSource: (() => Uint8Array | undefined) | undefined;

/**
 * Where a host keeps the compact form of Mistral's data (`encodeCompact` bytes), read when the
 * encoder is first built; undefined from it, or no source, means the package's own data.
 */
export function setMistralCompactSource(read: () => Uint8Array | undefined): void {
  compactSource = read;
}

/** The encoder, built once per realm: from the compact form when the host has it. */
export function loadMistralBpe(): Promise<SentencePieceBpe> {
  if (shared !== undefined) return shared;
  const compact = compactSource?.();
  if (compact !== undefined) {
    shared = Promise.resolve(SentencePieceBpe.fromCompact(decodeCompact(compact)));
    return shared;
  }
  // The package is imported lazily so that its 650 kB of baked vocabulary is only decoded when
  // a Mistral model is actually chosen.
  shared = import('mistral-tokenizer-js').then((m) => SentencePieceBpe.fromData(m.default));
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
