import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type {
  CodeAction,
  Diagnostic,
  TextDocumentContentChangeEvent,
  TextEdit,
} from 'vscode-languageserver-protocol';
import {
  CancellationTokenSource,
  CodeActionRequest,
  DidChangeConfigurationNotification,
  LSPErrorCodes,
} from 'vscode-languageserver-protocol';
import type { SetRuleSeverityArgs } from '../../common/protocol/lsp-commands.ts';
import { SET_RULE_SEVERITY_COMMAND } from '../../common/protocol/lsp-commands.ts';
import { LspClient } from './support/lsp-client.ts';

const FIXTURES = new URL('../fixtures/lsp/', import.meta.url);

function fixture(name: string): string {
  return readFileSync(new URL(`${name}/dataset.jsonl`, FIXTURES), 'utf8');
}

/** Edits of one action as didChange changes: last first, so earlier positions stay valid. */
function asChanges(edits: TextEdit[]): TextDocumentContentChangeEvent[] {
  return [...edits]
    .sort(
      (a, b) =>
        b.range.start.line - a.range.start.line ||
        b.range.start.character - a.range.start.character,
    )
    .map((e) => ({ range: e.range, text: e.newText }));
}

describe('language server: code actions', function () {
  /** Answered to `workspace/configuration`; the suppression test changes it. */
  const settings: { validation: { severity: Record<string, string> } } = {
    validation: { severity: {} },
  };
  let client: LspClient;
  before(async () => {
    client = await LspClient.start(settings);
  });
  after(async () => {
    await client.stop();
  });

  async function open(name: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
    const uri = `file:///work/fixes/${name}.jsonl`;
    await client.open(uri, fixture(name));
    return { uri, diagnostics: await client.diagnostics(uri, 1) };
  }

  async function actionsFor(
    uri: string,
    diagnostic: Diagnostic,
    all: Diagnostic[],
  ): Promise<CodeAction[]> {
    const onLine = all.filter((d) => d.range.start.line === diagnostic.range.start.line);
    const result = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: onLine },
    });
    return (result ?? []).filter((a): a is CodeAction => typeof a.command !== 'string');
  }

  /**
   * Opens the fixture, asks for the actions of its first `code` diagnostic, applies the one
   * titled like `title` through didChange, and returns the diagnostics of version 2.
   */
  async function applyFix(name: string, code: string, title: RegExp) {
    const { uri, diagnostics } = await open(name);
    const diagnostic = diagnostics.find((d) => d.code === code);
    assert.ok(
      diagnostic,
      `${name}: no ${code} in ${JSON.stringify(diagnostics.map((d) => d.code))}`,
    );
    const actions = await actionsFor(uri, diagnostic, diagnostics);
    const action = actions.find((a) => title.test(a.title));
    assert.ok(
      action,
      `${name}: no ${String(title)} in ${JSON.stringify(actions.map((a) => a.title))}`,
    );
    assert.equal(action.kind, 'quickfix');
    assert.ok(
      action.diagnostics?.some((d) => d.code === code),
      'the action is linked to the diagnostic it fixes',
    );
    const edits = action.edit?.changes?.[uri];
    assert.ok(edits && edits.length > 0, 'the action carries its edits');
    await client.change(uri, 2, asChanges(edits));
    const after = await client.diagnostics(uri, 2);
    return { uri, before: diagnostics, after, action, edits };
  }

  function codes(diagnostics: Diagnostic[]): string[] {
    return diagnostics.map((d) => String(d.code));
  }

  it('removes an unknown property', async () => {
    const { after, edits } = await applyFix(
      'unknown-property',
      'BRL022',
      /^Remove unknown property "notes"/,
    );
    assert.equal(edits.length, 1);
    assert.equal(edits[0].newText, '');
    assert.ok(!codes(after).includes('BRL022'), JSON.stringify(after));
  });

  it('fixes a misspelt role', async () => {
    const { after, action } = await applyFix(
      'role-typo',
      'BRL026',
      /^Replace "assistent" with "assistant"$/,
    );
    assert.equal(action.isPreferred, true);
    assert.ok(!codes(after).includes('BRL026'), JSON.stringify(after));
  });

  it('inserts all missing required fields', async () => {
    const { before, after, action } = await applyFix(
      'missing-fields',
      'BRL020',
      /^Add all 3 missing fields$/,
    );
    assert.equal(codes(before).filter((c) => c === 'BRL020').length, 3);
    assert.equal(action.diagnostics?.length, 3);
    assert.ok(!codes(after).includes('BRL020'), JSON.stringify(after));
  });

  it('renumbers the history turns', async () => {
    const { after } = await applyFix('history-numbering', 'BRL031', /^Renumber the history turns/);
    assert.ok(!codes(after).includes('BRL031'), JSON.stringify(after));
  });

  it('drops the user turn repeated at the end of the history', async () => {
    const { after } = await applyFix(
      'repeated-user-turn',
      'BRL032',
      /^Drop the user turn repeated/,
    );
    assert.ok(!codes(after).includes('BRL032'), JSON.stringify(after));
  });

  it('moves a misplaced _meta header to line 1', async () => {
    const { after } = await applyFix(
      'misplaced-meta',
      'BRL010',
      /^Move the _meta header to line 1$/,
    );
    assert.ok(!codes(after).includes('BRL010'), JSON.stringify(after));
    assert.ok(!codes(after).includes('BRL011'), 'the moved header counts the pairs right');
  });

  it('updates _meta.total_pairs', async () => {
    const { after } = await applyFix('total-pairs', 'BRL011', /^Set _meta.total_pairs to 3$/);
    assert.ok(!codes(after).includes('BRL011'), JSON.stringify(after));
  });

  it('removes a duplicate line', async () => {
    const { before, after, action } = await applyFix(
      'duplicate-line',
      'BRL037',
      /^Delete this line/,
    );
    assert.deepEqual(codes(action.diagnostics ?? []).sort(), ['BRL030', 'BRL036', 'BRL037']);
    for (const code of ['BRL030', 'BRL036', 'BRL037']) {
      assert.ok(codes(before).includes(code), `${code} before`);
      assert.ok(!codes(after).includes(code), `${code} after: ${JSON.stringify(after)}`);
    }
  });

  it('turns a rule off through the severity setting', async () => {
    const { uri, diagnostics } = await open('unknown-property');
    const diagnostic = diagnostics.find((d) => d.code === 'BRL022')!;
    const actions = await actionsFor(uri, diagnostic, diagnostics);
    const off = actions.find((a) => a.command?.command === SET_RULE_SEVERITY_COMMAND);
    assert.ok(off, JSON.stringify(actions.map((a) => a.title)));
    // What the extension does with the command: write the override, and the client reports the
    // configuration change.
    const [args] = off.command!.arguments as [SetRuleSeverityArgs];
    assert.deepEqual(args, { uri, code: 'BRL022', severity: 'off' });
    settings.validation.severity[args.code] = args.severity;
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, {
      settings: null,
    });
    // The next version is validated with the settings as they are after the change.
    await client.change(uri, 2, []);
    const after = await client.diagnostics(uri, 2);
    assert.ok(codes(diagnostics).includes('BRL022'));
    assert.ok(!codes(after).includes('BRL022'), JSON.stringify(after));
    delete settings.validation.severity.BRL022;
  });

  it('converts the file between shapes as a source action', async () => {
    const { uri } = await open('convert-v4');
    const result = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source'] },
    });
    const actions = (result ?? []) as CodeAction[];
    const convert = actions.find((a) => a.kind === 'source.convert.chat_messages');
    assert.ok(convert, JSON.stringify(actions));
    const edits = convert.edit?.changes?.[uri];
    assert.ok(edits, 'a client without resolve support gets the edit at once');
    await client.change(uri, 2, asChanges(edits));
    const summary = (await client.notification(
      'brightrun/datasetSummary',
      (p) =>
        (p as { uri: string; version: number }).uri === uri &&
        (p as { version: number }).version === 2,
    )) as { shape: string; pairs: number; errors: number };
    assert.equal(summary.shape, 'chat_messages');
    // A chat line trains every assistant message: the turn-3 pair's history adds one.
    assert.equal(summary.pairs, 4);
    assert.equal(summary.errors, 0);
  });

  it('answers RequestCancelled when a conversion is cancelled while it runs', async () => {
    const uri = 'file:///work/fixes/big.jsonl';
    const line = fixture('convert-v4').split('\n')[1];
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(line.replace('"c1_turn1_00000001"', `"big${i}"`));
    await client.open(uri, lines.join('\n'));
    await client.diagnostics(uri, 1, 30_000);
    const source = new CancellationTokenSource();
    const request = client.connection.sendRequest(
      CodeActionRequest.type,
      {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.convert'] },
      },
      source.token,
    );
    source.cancel();
    await assert.rejects(request, (error: { code?: number }) => {
      assert.equal(error.code, LSPErrorCodes.RequestCancelled);
      return true;
    });
  });
});
