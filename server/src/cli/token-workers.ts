import { availableParallelism } from 'node:os';
import { TokenPool } from '../tokens/token-pool.ts';
import type { TokenizerInfo } from '../../../common/tokenizers/token-counter.ts';
import type { TokenCounter } from './token-batcher.ts';

/** A started pool of token workers, shared by every file of one command. */
export interface TokenWorkers extends TokenCounter {
  /** How many batches to keep in the workers at once: enough to keep each busy. */
  readonly maxBatchesInFlight: number;
  /** Which tokenizer counts (an estimate is labelled as one in the statistics). */
  readonly tokenizer: TokenizerInfo;
  close(): Promise<void>;
}

/**
 * One worker per core: tokenising is the slowest step by far, and the main thread mostly waits
 * for the workers while they run (it parses the next chunk in the meantime).
 */
export function workerCount(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

export async function startTokenWorkers(baseModel: string): Promise<TokenWorkers> {
  const size = workerCount();
  const pool = await TokenPool.create(baseModel, size);
  return {
    maxBatchesInFlight: size * 2,
    tokenizer: pool.tokenizer,
    count: (samples) => pool.count(samples),
    close: () => pool.close(),
  };
}

/** Starts the workers on first use, so a run whose files all fail to open never pays for them. */
export class LazyTokenWorkers {
  private started: Promise<TokenWorkers> | undefined;

  constructor(private readonly baseModel: string) {}

  get(): Promise<TokenWorkers> {
    this.started ??= startTokenWorkers(this.baseModel);
    return this.started;
  }

  async close(): Promise<void> {
    if (!this.started) return;
    const workers = await this.started.catch(() => undefined);
    await workers?.close();
  }
}
