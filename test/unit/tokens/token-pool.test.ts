import assert from 'node:assert/strict';
import type { ChatMessage } from '../../../common/engine/shape.ts';
import { loadTokenCounter } from '../../../common/tokenizers/load-token-counter.ts';
import { TokenPool } from '../../../server/src/tokens/token-pool.ts';

function samples(n: number): ChatMessage[][] {
  return Array.from({ length: n }, (_, i) => [
    { role: 'system', content: 'You are a patient financial coach.' },
    { role: 'user', content: `Question number ${i}: how do I save ${i * 10} dollars?` },
    { role: 'assistant', content: 'Start small. '.repeat(1 + (i % 7)) },
  ]);
}

describe('TokenPool (real worker threads)', function () {
  this.timeout(15000);

  it('counts like the in-process counter, in order, across batches and workers', async function () {
    const pool = await TokenPool.create('mistralai/Mistral-7B-v0.1', 2, { batchChars: 2000 });
    try {
      assert.deepEqual(pool.tokenizer, {
        model: 'mistralai/Mistral-7B-v0.1',
        name: 'mistral-sentencepiece',
        exact: true,
      });
      const input = samples(300);
      const counter = await loadTokenCounter('mistralai/Mistral-7B-v0.1');
      const [first, second] = await Promise.all([pool.count(input), pool.count(input.slice(0, 5))]);
      assert.deepEqual(
        first,
        input.map((s) => counter.countSample(s)),
      );
      assert.deepEqual(second, first.slice(0, 5));
      assert.deepEqual(await pool.count([]), []);
    } finally {
      await pool.close();
    }
  });

  it('makes the caller wait in capacity() while too many batches are pending', async function () {
    const pool = await TokenPool.create('builtin/tiny-gpt', 1, {
      batchChars: 1,
      maxPendingBatches: 4,
    });
    try {
      const counting = pool.count(samples(20)); // 20 batches of one sample
      assert.equal(pool.pendingBatches, 20);
      await pool.capacity();
      assert.ok(pool.pendingBatches < 4, `${pool.pendingBatches} pending`);
      const counts = await counting;
      assert.equal(counts.length, 20);
      await pool.capacity(); // nothing pending: resolves at once
    } finally {
      await pool.close();
    }
  });

  it('rejects a batch the worker cannot count, with the model in the message, and carries on', async function () {
    const pool = await TokenPool.create('builtin/tiny-gpt', 1);
    try {
      const broken = [[{ role: 'user', content: null }]] as unknown as ChatMessage[][];
      await assert.rejects(pool.count(broken), /token counting failed \(builtin\/tiny-gpt\)/);
      assert.deepEqual(await pool.count([[{ role: 'user', content: 'ab' }]]), [5]);
    } finally {
      await pool.close();
    }
  });

  it('rejects unfinished and later calls once closed', async function () {
    const pool = await TokenPool.create('builtin/tiny-gpt', 1, { batchChars: 1 });
    const rejected = assert.rejects(pool.count(samples(50)), /closed/);
    await pool.close();
    await rejected;
    await assert.rejects(pool.count(samples(1)), /closed/);
  });

  it('rejects pending and later calls when a worker crashes', async function () {
    const workerUrl = new URL('../../fixtures/token-pool/crashing-worker.mjs', import.meta.url);
    const pool = await TokenPool.create('crash/test', 1, { workerUrl });
    try {
      await assert.rejects(
        pool.count(samples(3)),
        /token worker 0 \(crash\/test\) failed: tokenizer exploded/,
      );
      await assert.rejects(pool.count(samples(1)), /tokenizer exploded/);
    } finally {
      await pool.close();
    }
  });

  it('fails to start with a clear message when the worker script is missing', async function () {
    await assert.rejects(
      TokenPool.create('builtin/tiny-gpt', 1, { workerUrl: new URL('file:///nonexistent/w.js') }),
      /token worker for builtin\/tiny-gpt/,
    );
  });
});
