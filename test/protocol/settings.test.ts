import assert from 'node:assert/strict';
import { LspClient, messageText } from './support/lsp-client.ts';
import { cleanPairs, pair } from './support/pairs.ts';

const SHORT_PROMPT = 'Be kind.';

describe('language server: settings', function () {
  let client: LspClient;
  afterEach(async () => {
    await client.stop();
  });

  it('applies severity overrides per code and revalidates when the settings change', async () => {
    client = await LspClient.start();
    const uri = 'file:///work/severity.jsonl';
    const lines = cleanPairs(10);
    lines.push(pair({ id: 'short', conversation: 's', turn: 1, systemPrompt: SHORT_PROMPT }));
    lines.push(pair({ id: 'p0', conversation: 'dup', turn: 1, input: 'Another', response: 'One' }));
    await client.open(uri, lines.join('\n'));
    const before = await client.diagnostics(uri, 1);
    assert.deepEqual(before.map((d) => [d.code, d.severity]).sort(), [
      ['BRL027', 2],
      ['BRL030', 1],
    ]);

    const mark = client.published.length;
    await client.changeConfiguration({
      validation: { severity: { BRL027: 'off', BRL030: 'warning' } },
    });
    // The republish that follows the configuration change.
    const after = await client.publication((p, i) => i >= mark && p.uri === uri);
    assert.deepEqual(
      after.diagnostics.map((d) => [d.code, d.severity]),
      [['BRL030', 2]],
    );
  });

  it('counts tokens with the configured base model against maxSeqLength (BRL040)', async () => {
    client = await LspClient.start({
      validation: { baseModel: 'builtin/tiny-gpt', maxSeqLength: 64 },
    });
    const uri = 'file:///work/tokens.jsonl';
    const lines = cleanPairs(10);
    lines.push(pair({ id: 'long', conversation: 'l', turn: 1, response: 'word '.repeat(200) }));
    await client.open(uri, lines.join('\n'));
    // Token counting runs in the background: BRL040 arrives in a later publish of version 1.
    const withTokens = await client.publication(
      (p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'BRL040'),
      30_000,
    );
    assert.equal(withTokens.version, 1);
    const brl040 = withTokens.diagnostics.filter((d) => d.code === 'BRL040');
    assert.ok(brl040.some((d) => d.range.start.line === 10));
    assert.match(messageText(brl040[0]), /max sequence length of 64/);
  });

  it('follows include and exclude globs, also when they change', async () => {
    client = await LspClient.start({
      datasets: { include: ['**/*.data'], exclude: ['**/skip/**'] },
    });
    const text = cleanPairs(10).join('\n') + '\n{"id": "x",, }';
    const included = 'file:///work/train.data';
    const excluded = 'file:///work/skip/train.jsonl';
    await client.open(included, text, 1, 'plaintext');
    await client.open(excluded, text, 1, 'jsonl');
    assert.ok((await client.diagnostics(included, 1)).some((d) => d.code === 'BRL001'));

    // Exclude nothing any more: the skipped document is validated without being reopened.
    await client.changeConfiguration({ datasets: { include: ['**/*.data'], exclude: [] } });
    const now = await client.publication((p) => p.uri === excluded);
    assert.ok(now.diagnostics.some((d) => d.code === 'BRL001'));
    assert.deepEqual(
      client.published.filter((p) => p.uri === excluded && p.version === undefined),
      [],
    );
  });
});
