import type { ChatMessage, ChatRole } from '../engine/shape.ts';
import type { CountCache } from './count-cache.ts';
import type { TokenCounter } from './token-counter.ts';

/**
 * The template tokens a model family adds around messages. A sample's count is
 *
 *   perSample + Σ over messages (perMessage[role] + countText(content))
 *
 * Counting per message, not per rendered string, lets repeated contents (a system prompt on
 * every line, v4 history turns repeated on each later line) be counted once and cached. It can
 * differ from tokenising the whole rendered string by a token at a message boundary where the
 * template's text and the content would have merged; see README.md for each family.
 */
export interface ChatTemplateCost {
  /** Tokens once per sample (the BOS token). */
  perSample: number;
  /** Template tokens around one message of each role. */
  perMessage: Readonly<Record<ChatRole, number>>;
}

export interface CounterIdentity {
  modelId: string;
  name: string;
  exact: boolean;
}

/** A TokenCounter from a content counter and a template cost, with an optional count cache. */
export class TemplatedCounter implements TokenCounter {
  readonly modelId: string;
  readonly name: string;
  readonly exact: boolean;

  constructor(
    identity: CounterIdentity,
    private readonly countContent: (text: string) => number,
    private readonly cost: ChatTemplateCost,
    private readonly cache?: CountCache,
  ) {
    this.modelId = identity.modelId;
    this.name = identity.name;
    this.exact = identity.exact;
  }

  countText(text: string): number {
    const cache = this.cache;
    if (cache === undefined) return this.countContent(text);
    const hit = cache.get(text);
    if (hit !== undefined) return hit;
    const count = this.countContent(text);
    cache.set(text, count);
    return count;
  }

  countSample(messages: readonly ChatMessage[]): number {
    let total = this.cost.perSample;
    for (const m of messages) total += this.cost.perMessage[m.role] + this.countText(m.content);
    return total;
  }
}
