import assert from 'node:assert/strict';
import type { CodeAction } from 'vscode-languageserver';
import { CancellationToken, CancellationTokenSource, LSPErrorCodes } from 'vscode-languageserver';
import { DatasetDocument } from '../../../server/src/lsp/document/dataset-document.ts';
import { convertDocument } from '../../../server/src/lsp/features/code-actions/convert-file.ts';
import {
  provideCodeActions,
  resolveCodeAction,
} from '../../../server/src/lsp/features/code-actions/index.ts';
import { SET_RULE_SEVERITY_COMMAND } from '../../../common/protocol/lsp-commands.ts';
import { PROMPT, distinctPairs, pairLine } from '../dataset/dataset-lines.ts';
import { CLIENT, URI, actionsFor, apply, editsOf, fix, lspDiagnostics } from './fix-harness.ts';

const FILLER = distinctPairs(10, 'fill');

/** A valid pair with `extra` merged in (keys in insertion order). */
function pair(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(JSON.parse(pairLine({ turn: 3 })) as Record<string, unknown>), ...extra };
}

describe('code actions: line fixes', () => {
  describe('BRL022 unknown property', () => {
    it('removes a property in the middle with the comma after it', async () => {
      const line = JSON.stringify({ id: 'p1', note: 'x', ...pair() });
      const { edits, fixed, left } = await fix(line, 'BRL022', /^Remove unknown property "note"/);
      assert.deepEqual(left, []);
      assert.equal(edits.length, 1);
      const start = line.indexOf('"note"');
      assert.deepEqual(edits[0].range, {
        start: { line: 0, character: start },
        end: { line: 0, character: line.indexOf('"conversation_id"') },
      });
      assert.equal(fixed, line.replace('"note":"x",', ''));
    });

    it('removes the last property with the comma before it, keeping the spacing', async () => {
      const base = JSON.stringify(pair(), null, 1).replace(/\n\s*/g, ' ');
      const line = base.replace(/ }$/, ', "note": [1, 2] }');
      const { fixed, left } = await fix(line, 'BRL022', /^Remove unknown property/);
      assert.deepEqual(left, []);
      assert.equal(fixed, base);
    });

    it('removes the only property of a nested object', async () => {
      const line = JSON.stringify(
        pair({ emotional_context: { detected_emotions: undefined, x: 1 } }),
      );
      const { fixed } = await fix(line, 'BRL022', /^Remove unknown property "x"/);
      assert.match(fixed, /"emotional_context":\{\}/);
    });

    it('offers to rename a misspelt field first', async () => {
      const good = pair();
      const line = JSON.stringify(good).replace('"target_response"', '"target_respons"');
      const { action, fixed } = await fix(line, 'BRL022', /^Rename "target_respons"/);
      assert.equal(action.isPreferred, true);
      assert.equal(fixed, JSON.stringify(good));
      assert.deepEqual(lineProblems(fixed), []);
    });
  });

  it('BRL006 removes the earlier copy of a repeated key', async () => {
    const line = JSON.stringify(pair()).replace('{"id":"p1",', '{"id":"old","id":"p1",');
    const { fixed, left } = await fix(line, 'BRL006', /^Remove the earlier "id"/);
    assert.deepEqual(left, []);
    assert.equal(fixed, JSON.stringify(pair()));
  });

  describe('BRL026 / BRL051 roles', () => {
    for (const [written, meant] of [
      ['Assistant', 'assistant'],
      ['assistent', 'assistant'],
      ['USR', 'user'],
    ]) {
      it(`replaces the history role "${written}" with "${meant}"`, async () => {
        const good = JSON.stringify(pair());
        const line = good.replace(`"role":"${meant}"`, `"role":"${written}"`);
        const { action, edits, fixed, left } = await fix(line, 'BRL026', /^Replace/);
        assert.equal(action.title, `Replace "${written}" with "${meant}"`);
        assert.equal(action.isPreferred, true);
        assert.equal(edits[0].newText, `"${meant}"`);
        assert.equal(edits[0].range.start.character, line.indexOf(`"${written}"`));
        assert.deepEqual(left, []);
        assert.equal(fixed, good);
      });
    }

    it('offers every allowed role when none is close', async () => {
      const line = JSON.stringify(pair()).replace('"role":"assistant"', '"role":"narrator"');
      const titles = (await actionsFor(line, 'BRL026')).map((a) => a.title);
      assert.ok(titles.includes('Replace "narrator" with "user"'), String(titles));
      assert.ok(titles.includes('Replace "narrator" with "assistant"'), String(titles));
    });

    it('fixes a chat role typo', async () => {
      const line =
        '{"messages":[{"role":"usr","content":"Hi"},{"role":"assistnat","content":"Hello"}]}';
      const first = await fix(line, 'BRL051', /^Replace "usr" with "user"/);
      const second = await fix(first.fixed, 'BRL051', /^Replace "assistnat" with "assistant"/);
      assert.deepEqual(second.left, []);
    });
  });

  describe('BRL020 missing required fields', () => {
    it('adds one field in schema order, with an empty text the author must fill', async () => {
      const good = pair();
      const rest = { ...good };
      delete rest.target_response;
      const line = JSON.stringify(rest);
      const { edits, fixed, left } = await fix(
        line,
        'BRL020',
        /^Add the missing field "target_response"/,
      );
      assert.deepEqual(left, []);
      assert.equal(edits.length, 1);
      assert.equal(edits[0].newText, ',"target_response":""');
      assert.equal(fixed, JSON.stringify({ ...rest, target_response: '' }));
      assert.deepEqual(
        lineProblems(fixed).map((d) => d.code),
        ['BRL023'],
        'the empty placeholder is still pointed at',
      );
    });

    it('adds all missing fields at once, deriving what the line already says', async () => {
      const line =
        '{"conversation_history": [{"turn": 1, "role": "user", "content": "Hi"}], "target_response": "Hello"}';
      const { action, fixed, left } = await fix(line, 'BRL020', /^Add all 5 missing fields/);
      assert.equal(action.diagnostics?.length, 5);
      assert.deepEqual(left, []);
      const value = JSON.parse(fixed) as Record<string, unknown>;
      assert.deepEqual(Object.keys(value), [
        'id',
        'conversation_id',
        'turn_number',
        'system_prompt',
        'conversation_history',
        'current_user_input',
        'target_response',
      ]);
      assert.equal(value.turn_number, 2);
      assert.equal(value.current_user_input, 'Hi');
      assert.match(value.conversation_id as string, /^[0-9a-f-]{36}$/);
      assert.match(
        value.id as string,
        new RegExp(`^${value.conversation_id as string}_turn2_[0-9a-f]{8}$`),
      );
      assert.match(fixed, /^\{"id": "[^"]+", "conversation_id": "[^"]+", "turn_number": 2, /);
      assert.match(fixed, /\], "current_user_input": "Hi", "target_response"/, 'spacing kept');
    });

    it('adds a missing history role as the other role than the turn before', async () => {
      const good = pair();
      const line = JSON.stringify(good).replace('"turn":2,"role":"assistant",', '"turn":2,');
      const { fixed, left } = await fix(line, 'BRL020', /^Add the missing field "role"/);
      assert.deepEqual(left, []);
      assert.equal(fixed, JSON.stringify(good));
    });

    it('adds a missing _meta version', async () => {
      const text = ['{"_meta":{"total_pairs":10}}', ...FILLER].join('\n');
      const { fixed, left } = await fix(text, 'BRL012', /^Add the missing field "version"/);
      assert.deepEqual(left, []);
      assert.equal(fixed.split('\n')[0], '{"_meta":{"total_pairs":10,"version":"4.0.0"}}');
    });
  });

  it('BRL031 renumbers only the history turns that are wrong', async () => {
    const good = JSON.stringify(pair());
    const line = good.replace('"turn":2', '"turn":5');
    const { edits, fixed, left } = await fix(line, 'BRL031', /^Renumber the history turns/);
    assert.deepEqual(left, []);
    assert.equal(edits.length, 1);
    assert.equal(edits[0].newText, '2');
    assert.equal(fixed, good);
  });

  it('BRL038 sets training_metadata.conversation_turn to turn_number', async () => {
    const good = pair({ training_metadata: { conversation_turn: 3 } });
    const line = JSON.stringify(good).replace('"conversation_turn":3', '"conversation_turn":2');
    const { fixed, left } = await fix(
      line,
      'BRL038',
      /^Set training_metadata.conversation_turn to 3$/,
    );
    assert.deepEqual(left, []);
    assert.equal(fixed, JSON.stringify(good));
  });

  describe('BRL032 history length', () => {
    it('drops the user turn the history repeats from current_user_input', async () => {
      const good = pair({ turn_number: 3, current_user_input: 'turn 3?' });
      const history = [
        ...(good.conversation_history as object[]),
        { turn: 3, role: 'user', content: 'turn 3?' },
      ];
      const line = JSON.stringify({ ...good, conversation_history: history });
      const { action, fixed, left } = await fix(line, 'BRL032', /^Drop the user turn repeated/);
      assert.equal(action.isPreferred, true);
      assert.deepEqual(left, []);
      assert.equal(fixed, JSON.stringify(good));
    });

    it('does not drop a last user turn that differs from current_user_input', async () => {
      const good = pair();
      const history = [
        ...(good.conversation_history as object[]),
        { turn: 3, role: 'user', content: 'other' },
      ];
      const line = JSON.stringify({ ...good, conversation_history: history });
      const titles = (await actionsFor(line, 'BRL032')).map((a) => a.title);
      assert.ok(!titles.some((t) => t.startsWith('Drop')), String(titles));
      assert.ok(titles.includes('Set turn_number to 4'), String(titles));
    });
  });
});

describe('code actions: cross-line fixes', () => {
  it('BRL003 deletes a blank line between data lines', async () => {
    const text = [...FILLER.slice(0, 3), '  ', ...FILLER.slice(3)].join('\n');
    const { fixed, left } = await fix(text, 'BRL003', /^Delete the blank line$/);
    assert.deepEqual(left, []);
    assert.equal(fixed, FILLER.join('\n'));
  });

  it('BRL055 converts a chat line to the file shape, one pair per reply', async () => {
    const chat = JSON.stringify({
      messages: [
        { role: 'system', content: PROMPT },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Budget?' },
        { role: 'assistant', content: 'Yes.' },
      ],
    });
    const text = [...FILLER, chat].join('\n');
    const { fixed, left } = await fix(
      text,
      'BRL055',
      /^Convert this line to brightrun_lora_v4 \(2 lines\)$/,
    );
    assert.deepEqual(left, []);
    const added = fixed
      .split('\n')
      .slice(FILLER.length)
      .map((l) => JSON.parse(l) as { turn_number: number });
    assert.deepEqual(
      added.map((p) => p.turn_number),
      [1, 3],
    );
    assert.deepEqual(
      lspDiagnostics(fixed).filter((d) => d.severity === 1),
      [],
    );
  });

  it('BRL010 moves a misplaced _meta header to line 1', async () => {
    const meta = '{"_meta":{"version":"4.0.0","total_pairs":10}}';
    const text = [...FILLER.slice(0, 5), meta, ...FILLER.slice(5)].join('\n') + '\n';
    const { fixed, left } = await fix(text, 'BRL010', /^Move the _meta header to line 1/);
    assert.deepEqual(left, []);
    assert.equal(fixed, [meta, ...FILLER].join('\n') + '\n');
  });

  it('BRL010 deletes a misplaced header when line 1 already has one', async () => {
    const meta = '{"_meta":{"version":"4.0.0","total_pairs":10}}';
    const text = [meta, ...FILLER, meta].join('\n');
    const titles = (await actionsFor(text, 'BRL010')).map((a) => a.title);
    assert.ok(!titles.some((t) => t.startsWith('Move')), String(titles));
    const { fixed, left } = await fix(text, 'BRL010', /^Delete the misplaced _meta header/);
    assert.deepEqual(left, []);
    assert.equal(fixed, [meta, ...FILLER].join('\n'));
  });

  it('BRL011 sets _meta.total_pairs to the pair lines of the document', async () => {
    const text = ['{"_meta":{"version":"4.0.0","total_pairs":3}}', ...FILLER].join('\n');
    const { edits, left } = await fix(text, 'BRL011', /^Set _meta.total_pairs to 10$/);
    assert.deepEqual(left, []);
    const at = text.indexOf('3}}');
    assert.deepEqual(edits, [
      {
        range: { start: { line: 0, character: at }, end: { line: 0, character: at + 1 } },
        newText: '10',
      },
    ]);
  });

  it('BRL037 deletes a duplicate sample, last line included', async () => {
    const text = [...FILLER, FILLER[2].replace('"fill2"', '"copy"')].join('\n');
    const { fixed, left } = await fix(
      text,
      'BRL037',
      /^Delete this line \(a duplicate of line 3\)/,
    );
    assert.deepEqual(left, []);
    assert.equal(fixed, FILLER.join('\n'));
  });

  it('BRL030 deletes a repeated line only when it is an exact copy', async () => {
    const copy = [...FILLER, FILLER[4]].join('\n');
    const { left } = await fix(copy, 'BRL030', /^Delete this line/);
    assert.deepEqual(left, []);
    const different = [...FILLER, pairLine({ id: 'fill4', conversation: 'other', input: 'new?' })];
    assert.deepEqual(await actionsFor(different.join('\n'), 'BRL030').then(titles), [
      'Turn off BRL030 (Duplicate id) in this workspace folder',
    ]);
  });
});

/** What a line says about itself: the document-level "too few pairs" (BRL041) left out. */
function lineProblems(text: string) {
  return lspDiagnostics(text).filter((d) => d.code !== 'BRL041');
}

function titles(actions: CodeAction[]): string[] {
  return actions.map((a) => a.title);
}

describe('code actions: suppression, conversion, cancellation', () => {
  it('offers to turn a rule off through the settings command', async () => {
    const line = JSON.stringify(pair({ system_prompt: 'Short.' }));
    const action = (await actionsFor(line, 'BRL027')).find((a) => a.command !== undefined);
    assert.ok(action);
    assert.equal(action.command?.command, SET_RULE_SEVERITY_COMMAND);
    assert.deepEqual(action.command?.arguments, [{ uri: URI, code: 'BRL027', severity: 'off' }]);
    assert.equal(action.diagnostics?.[0].code, 'BRL027');
  });

  async function sourceActions(text: string): Promise<CodeAction[]> {
    const document = new DatasetDocument(URI, 1, text);
    return provideCodeActions(
      document,
      { textDocument: { uri: URI }, range: zero(), context: { diagnostics: [], only: ['source'] } },
      CLIENT,
      CancellationToken.None,
    );
  }

  it('converts the file to chat_messages through codeAction/resolve', async () => {
    const text = [...FILLER.slice(0, 2)].join('\n') + '\n';
    const document = new DatasetDocument(URI, 1, text);
    const [action] = await sourceActions(text);
    assert.equal(action.title, 'Convert the file to chat_messages');
    assert.equal(action.kind, 'source.convert.chat_messages');
    assert.equal(action.edit, undefined, 'computed on resolve only');
    const resolved = await resolveCodeAction(
      action,
      () => document,
      CLIENT,
      CancellationToken.None,
    );
    const converted = apply(text, editsOf(resolved));
    const lines = converted.split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    const first = JSON.parse(lines[0]) as { messages: { role: string }[] };
    assert.deepEqual(
      first.messages.map((m) => m.role),
      ['system', 'user', 'assistant'],
    );
    assert.deepEqual(
      lspDiagnostics(converted).filter((d) => d.severity === 1),
      [],
    );
  });

  it('lists a conversion only for the kinds asked for', async () => {
    const text = FILLER.slice(0, 2).join('\n');
    const document = new DatasetDocument(URI, 1, text);
    const ask = async (only: string[] | undefined) =>
      titles(
        await provideCodeActions(
          document,
          { textDocument: { uri: URI }, range: zero(), context: { diagnostics: [], only } },
          CLIENT,
          CancellationToken.None,
        ),
      );
    assert.deepEqual(await ask(undefined), [], 'not in the light bulb');
    assert.deepEqual(await ask(['quickfix']), []);
    assert.deepEqual(await ask(['source.convert.chat_messages']), [
      'Convert the file to chat_messages',
    ]);
    assert.deepEqual(await ask(['source.convert.brightrun_lora_v4']), []);
  });

  it('shows the conversion disabled while a line has an error', async () => {
    const [action] = await sourceActions([FILLER[0], '{"id": }'].join('\n'));
    assert.match(action.disabled?.reason ?? '', /^Line 2 has an error \(BRL001\)/);
  });

  it('ignores diagnostics that no longer fit the document', async () => {
    const text = FILLER.slice(0, 2).join('\n');
    const document = new DatasetDocument(URI, 1, text);
    const stale = lspDiagnostics([...FILLER, FILLER[0]].join('\n')).filter(
      (d) => d.code === 'BRL037',
    );
    assert.equal(stale[0].range.start.line, 10);
    const wrongPlace = { ...stale[0], code: 'BRL022', range: zero() };
    const actions = await provideCodeActions(
      document,
      {
        textDocument: { uri: URI },
        range: zero(),
        context: { diagnostics: [...stale, wrongPlace] },
      },
      CLIENT,
      CancellationToken.None,
    );
    assert.deepEqual(
      actions.filter((a) => a.edit !== undefined),
      [],
    );
  });

  it('stops between diagnostics once the request is cancelled', async () => {
    const text = JSON.stringify(pair({ a: 1, b: 2 }));
    const diagnostics = lspDiagnostics(text);
    let reads = 0;
    const token: CancellationToken = {
      get isCancellationRequested() {
        return ++reads > 1;
      },
      onCancellationRequested: CancellationToken.None.onCancellationRequested,
    };
    const document = new DatasetDocument(URI, 1, text);
    await assert.rejects(
      provideCodeActions(
        document,
        { textDocument: { uri: URI }, range: zero(), context: { diagnostics } },
        CLIENT,
        token,
      ),
      (error: { code?: number }) => error.code === LSPErrorCodes.RequestCancelled,
    );
    assert.equal(reads, 2, 'the first diagnostic was fixed, the second not started');
  });

  it('stops a conversion when the request is cancelled while it runs', async () => {
    const text = distinctPairs(3000, 'big').join('\n');
    const document = new DatasetDocument(URI, 1, text);
    const source = new CancellationTokenSource();
    const running = convertDocument(document, 'chat_messages', source.token);
    setImmediate(() => source.cancel());
    await assert.rejects(
      running,
      (error: { code?: number }) => error.code === LSPErrorCodes.RequestCancelled,
    );
  });
});

function zero() {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}
