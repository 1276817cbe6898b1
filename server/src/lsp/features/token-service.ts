import { loadTokenCounter } from '../../../../common/tokenizers/load-token-counter.ts';
import type { TokenCounter } from '../../../../common/tokenizers/token-counter.ts';

/**
 * One token counter per base model for the whole server, loaded on first use. Each counter
 * keeps its own cache of counts by content, which is what makes re-counting after an edit cheap.
 */
export class TokenService {
  private readonly counters = new Map<string, Promise<TokenCounter>>();

  counter(baseModel: string): Promise<TokenCounter> {
    let counter = this.counters.get(baseModel);
    if (counter === undefined) {
      counter = loadTokenCounter(baseModel);
      this.counters.set(baseModel, counter);
    }
    return counter;
  }
}
