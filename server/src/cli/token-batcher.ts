import type { ChatMessage } from '../../../common/engine/shape.ts';

/** What the batcher needs from a token pool (server/src/tokens/token-pool.ts). */
export interface TokenCounter {
  count(samples: ChatMessage[][]): Promise<number[]>;
}

/** Where counted tokens go (DatasetValidator.addSampleTokens). */
export type TokenSink = (line: number, sampleIndex: number, tokens: number) => void;

interface Batch {
  lines: number[];
  sampleIndexes: number[];
  result: Promise<number[]>;
}

/** About this many UTF-16 characters per batch: big enough to amortise a worker round trip. */
const BATCH_CHARS = 256 * 1024;
const BATCH_SAMPLES = 512;

/**
 * Sends samples to the token workers in batches and hands the counts back in the order the
 * samples were read. When `maxInFlight` batches are outstanding the batcher is `congested` and
 * the reader waits (`relieve`) before reading the next chunk, so memory stays bounded however
 * large the file is (backpressure instead of an unbounded queue). Batches settle strictly in
 * order, one at a time, so counts reach the validator in file order.
 */
export class TokenBatcher {
  private lines: number[] = [];
  private sampleIndexes: number[] = [];
  private samples: ChatMessage[][] = [];
  private chars = 0;
  private readonly inFlight: Batch[] = [];

  constructor(
    private readonly counter: TokenCounter,
    private readonly sink: TokenSink,
    private readonly maxInFlight: number,
  ) {}

  /** Queues one sample; sends a batch to the workers once enough text has gathered. */
  add(line: number, sampleIndex: number, messages: ChatMessage[]): void {
    this.lines.push(line);
    this.sampleIndexes.push(sampleIndex);
    this.samples.push(messages);
    for (const m of messages) this.chars += m.content.length;
    if (this.chars >= BATCH_CHARS || this.samples.length >= BATCH_SAMPLES) this.dispatch();
  }

  /** True when the reader should wait for the workers before reading more. */
  get congested(): boolean {
    return this.inFlight.length >= this.maxInFlight;
  }

  /** Waits until fewer than `maxInFlight` batches are outstanding. */
  async relieve(): Promise<void> {
    while (this.inFlight.length >= this.maxInFlight) await this.settleOldest();
  }

  /** Sends what is queued and waits for every count. */
  async flush(): Promise<void> {
    this.dispatch();
    while (this.inFlight.length > 0) await this.settleOldest();
  }

  private dispatch(): void {
    if (this.samples.length === 0) return;
    const result = this.counter.count(this.samples);
    // A rejection is observed in settleOldest; this keeps Node from reporting it as unhandled
    // while older batches are still being awaited.
    result.catch(() => undefined);
    this.inFlight.push({ lines: this.lines, sampleIndexes: this.sampleIndexes, result });
    this.lines = [];
    this.sampleIndexes = [];
    this.samples = [];
    this.chars = 0;
  }

  private async settleOldest(): Promise<void> {
    const batch = this.inFlight.shift();
    if (!batch) return;
    const counts = await batch.result;
    for (let i = 0; i < counts.length; i++) {
      this.sink(batch.lines[i], batch.sampleIndexes[i], counts[i]);
    }
  }
}
