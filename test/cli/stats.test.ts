import assert from 'node:assert/strict';
import { runCli, STACK_FRAME } from './run-cli.ts';

const EXAMPLE = 'examples/financial-coaching.jsonl';

describe('brightrun stats', () => {
  it('text: aligned name: value lines with the §4 figures', async () => {
    const result = await runCli(['stats', EXAMPLE]);
    assert.equal(result.code, 0, result.stderr);
    const rows = result.stdout.trimEnd().split('\n');
    const values = new Map(
      rows.map((r) => [r.slice(0, r.indexOf(':')), r.slice(r.indexOf(':') + 1).trim()]),
    );
    assert.equal(values.get('total_training_pairs'), '17');
    assert.equal(values.get('total_samples'), '17');
    assert.equal(values.get('total_conversations'), '5');
    assert.match(values.get('total_tokens') ?? '', /^\d+ \(/);
    // Values start in one column.
    const columns = new Set(rows.map((r) => r.search(/(?<=:\s+)\S/)));
    assert.equal(columns.size, 1, result.stdout);
  });

  it('json: the stats object, token figures from the exact tokenizer', async () => {
    const result = await runCli(['stats', '--format', 'json', EXAMPLE]);
    assert.equal(result.code, 0, result.stderr);
    const stats = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(stats.total_training_pairs, 17);
    assert.equal(stats.shape, 'brightrun_lora_v4');
    assert.ok((stats.total_tokens as number) > 1000);
    assert.deepEqual((stats.tokenizer as { model: string; exact: boolean }).exact, true);
    const dist = stats.token_distribution as Record<string, number>;
    assert.ok(dist.min <= dist.median && dist.median <= dist.max);
    assert.equal((stats.sample_data as unknown[]).length, 3);
  });

  it('--no-tokens leaves token figures empty', async () => {
    const result = await runCli(['stats', '--format', 'json', '--no-tokens', EXAMPLE]);
    const stats = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(stats.total_tokens, null);
    assert.equal(stats.total_training_pairs, 17);
  });

  it('usage errors exit 2', async () => {
    for (const args of [['stats'], ['stats', EXAMPLE, EXAMPLE], ['stats', 'missing.jsonl']]) {
      const result = await runCli(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.doesNotMatch(result.stderr, STACK_FRAME);
    }
  });
});
