import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReports, runCli, STACK_FRAME } from './run-cli.ts';

const EXAMPLE = 'examples/financial-coaching.jsonl';

function jsonLines(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

describe('brightrun convert', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'brightrun-convert-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('v4 → chat_messages → v4 restores every pair', async () => {
    const chat = join(tmp, 'chat.jsonl');
    const back = join(tmp, 'back.jsonl');
    const toChat = await runCli(['convert', '--to', 'chat_messages', EXAMPLE, chat]);
    assert.equal(toChat.code, 0, toChat.stderr);
    assert.match(toChat.stdout, /converted 18 lines into 17 chat_messages lines/);
    assert.match(toChat.stderr, /_meta header was dropped/);

    const checked = await runCli(['validate', '--no-tokens', '--format', 'json', chat]);
    assert.equal(checked.code, 0, checked.stdout);
    assert.equal(parseReports(checked.stdout)[0].shape, 'chat_messages');

    const toV4 = await runCli(['convert', '--to', 'brightrun_lora_v4', chat, back]);
    assert.equal(toV4.code, 0, toV4.stderr);
    // The header has no place in chat_messages; every pair line comes back as it was.
    assert.deepEqual(jsonLines(back), jsonLines(EXAMPLE).slice(1));
  });

  it('chat shapes convert to valid v4 pairs', async () => {
    for (const file of ['chat-messages.jsonl', 'conversations.jsonl', 'turns.jsonl']) {
      const out = join(tmp, `v4-${file}`);
      const result = await runCli([
        'convert',
        '--to',
        'brightrun_lora_v4',
        join('test/fixtures/valid', file),
        out,
      ]);
      assert.equal(result.code, 0, result.stderr);
      const checked = await runCli(['validate', '--no-tokens', '--format', 'json', out]);
      const [report] = parseReports(checked.stdout);
      assert.equal(report.shape, 'brightrun_lora_v4', file);
      assert.equal(report.counts.error, 0, `${file}: ${JSON.stringify(report.diagnostics)}`);
      assert.equal(report.counts.pairs, 17, file);
    }
  });

  it('a line that cannot be converted: exit 1, names the line, leaves OUT untouched', async () => {
    const out = join(tmp, 'kept.jsonl');
    writeFileSync(out, 'previous content\n');
    const result = await runCli([
      'convert',
      '--to',
      'chat_messages',
      'test/fixtures/rules/BRL001/input.jsonl',
      out,
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /input\.jsonl:6: not converted: BRL001 /);
    assert.doesNotMatch(result.stderr, STACK_FRAME);
    assert.equal(readFileSync(out, 'utf8'), 'previous content\n');
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file left behind',
    );
  });

  it('usage and I/O errors exit 2 without writing', async () => {
    const out = join(tmp, 'never.jsonl');
    for (const args of [
      ['convert', EXAMPLE, out],
      ['convert', '--to', 'alpaca', EXAMPLE, out],
      ['convert', '--to', 'chat_messages', EXAMPLE],
      ['convert', '--to', 'chat_messages', EXAMPLE, EXAMPLE],
      ['convert', '--to', 'chat_messages', 'missing.jsonl', out],
      ['convert', '--to', 'chat_messages', EXAMPLE, join(tmp, 'no-such-dir', 'out.jsonl')],
    ]) {
      const result = await runCli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, STACK_FRAME);
      assert.equal(existsSync(out), false);
    }
  });
});
