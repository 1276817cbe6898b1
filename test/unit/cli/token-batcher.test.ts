import assert from 'node:assert/strict';
import type { ChatMessage } from '../../../common/engine/shape.ts';
import { TokenBatcher, type TokenCounter } from '../../../server/src/cli/token-batcher.ts';

/** A counter whose batches the test settles by hand, in any order. */
class ManualCounter implements TokenCounter {
  readonly calls: { samples: ChatMessage[][]; resolve: (counts: number[]) => void }[] = [];

  count(samples: ChatMessage[][]): Promise<number[]> {
    return new Promise((resolve) => this.calls.push({ samples, resolve }));
  }

  /** Answers call `i` with each sample's content length. */
  answer(i: number): void {
    const call = this.calls[i];
    call.resolve(call.samples.map((s) => s.reduce((n, m) => n + m.content.length, 0)));
  }
}

/** A sample big enough (128K characters) that two of them fill a batch. */
function bigSample(): ChatMessage[] {
  return [{ role: 'user', content: 'x'.repeat(128 * 1024) }];
}

describe('TokenBatcher', () => {
  it('hands counts to the sink in file order even when batches finish out of order', async () => {
    const counter = new ManualCounter();
    const seen: string[] = [];
    const batcher = new TokenBatcher(counter, (line, sample) => seen.push(`${line}.${sample}`), 8);
    for (let line = 0; line < 4; line++) batcher.add(line, 0, bigSample());
    assert.equal(counter.calls.length, 2, 'two full batches were sent');
    const flushed = batcher.flush();
    counter.answer(1);
    counter.answer(0);
    await flushed;
    assert.deepEqual(seen, ['0.0', '1.0', '2.0', '3.0']);
  });

  it('is congested at maxInFlight batches and relieved when the oldest settles', async () => {
    const counter = new ManualCounter();
    const batcher = new TokenBatcher(counter, () => undefined, 2);
    for (let line = 0; line < 4; line++) batcher.add(line, 0, bigSample());
    assert.equal(batcher.congested, true);
    const relieved = batcher.relieve();
    counter.answer(0);
    await relieved;
    assert.equal(batcher.congested, false);
  });

  it('sends a partial batch on flush', async () => {
    const counter = new ManualCounter();
    const counts: number[] = [];
    const batcher = new TokenBatcher(counter, (_l, _s, tokens) => counts.push(tokens), 2);
    batcher.add(0, 0, [{ role: 'user', content: 'hello' }]);
    batcher.add(0, 1, [{ role: 'assistant', content: 'hi there' }]);
    assert.equal(counter.calls.length, 0, 'small samples wait for more');
    const flushed = batcher.flush();
    counter.answer(0);
    await flushed;
    assert.deepEqual(counts, [5, 8]);
  });

  it('propagates a counting failure', async () => {
    const failing: TokenCounter = { count: () => Promise.reject(new Error('worker died')) };
    const batcher = new TokenBatcher(failing, () => undefined, 2);
    batcher.add(0, 0, [{ role: 'user', content: 'hello' }]);
    await assert.rejects(batcher.flush(), /worker died/);
  });
});
