/**
 * Every quick fix, on many generated broken lines: the edited document is still JSON on every
 * line, and the diagnostic the fix is linked to is gone from its line (or, for a fix linked to
 * several of one code, fewer remain).
 */
import assert from 'node:assert/strict';
import { CancellationToken } from 'vscode-languageserver';
import { DatasetDocument } from '../../../server/src/lsp/document/dataset-document.ts';
import { provideCodeActions } from '../../../server/src/lsp/features/code-actions/index.ts';
import { PROMPT } from '../dataset/dataset-lines.ts';
import { CLIENT, URI, apply, editsOf, lspDiagnostics } from './fix-harness.ts';

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MUTATIONS: ((pair: Record<string, unknown>, r: () => number) => void)[] = [
  (p, r) => delete p[['id', 'turn_number', 'target_response'][Math.floor(r() * 3)]],
  (p, r) =>
    delete p[['conversation_id', 'system_prompt', 'current_user_input'][Math.floor(r() * 3)]],
  (p, r) => (p[['notes', 'extra'][Math.floor(r() * 2)]] = 'x'),
  (p, r) => {
    const [right, wrong] = [
      ['target_response', 'target_respons'],
      ['system_prompt', 'systm_prompt'],
    ][Math.floor(r() * 2)];
    p[wrong] = p[right];
    delete p[right];
  },
  (p, r) =>
    (turnAt(p, r).role = ['Assistant', 'USER', 'assistent', 'usr', 'bot'][Math.floor(r() * 5)]),
  (p, r) => (turnAt(p, r).turn = 9),
  (p, r) => delete turnAt(p, r)[['role', 'content', 'turn'][Math.floor(r() * 3)]],
  (p) => (p.training_metadata = { conversation_turn: 7 }),
  (p) => {
    const history = p.conversation_history as Record<string, unknown>[];
    history.push({ turn: history.length + 1, role: 'user', content: p.current_user_input });
  },
];

function turnAt(pair: Record<string, unknown>, r: () => number): Record<string, unknown> {
  const history = pair.conversation_history as Record<string, unknown>[];
  return history[Math.floor(r() * history.length)];
}

function basePair(i: number): Record<string, unknown> {
  return {
    id: `p${i}`,
    conversation_id: `c${i}`,
    turn_number: 3,
    system_prompt: PROMPT,
    conversation_history: [
      { turn: 1, role: 'user', content: `first ${i}` },
      { turn: 2, role: 'assistant', content: `reply ${i}` },
    ],
    current_user_input: `question ${i}`,
    target_response: `answer ${i}`,
  };
}

describe('code actions: every fix keeps the file JSON and clears its diagnostic', () => {
  for (let seed = 1; seed <= 60; seed++) {
    it(`seed ${seed}`, async () => {
      const r = random(seed);
      const lines: string[] = [];
      for (let i = 0; i < 3; i++) {
        const pair = basePair(i);
        const count = 1 + Math.floor(r() * 3);
        for (let k = 0; k < count; k++) MUTATIONS[Math.floor(r() * MUTATIONS.length)](pair, r);
        lines.push(JSON.stringify(pair, null, r() < 0.3 ? 1 : undefined).replace(/\n\s*/g, ' '));
      }
      const text = lines.join('\n');
      const diagnostics = lspDiagnostics(text);
      const document = new DatasetDocument(URI, 1, text);
      for (const diagnostic of diagnostics) {
        const line = diagnostic.range.start.line;
        const actions = await provideCodeActions(
          document,
          {
            textDocument: { uri: URI },
            range: diagnostic.range,
            context: { diagnostics: diagnostics.filter((d) => d.range.start.line === line) },
          },
          CLIENT,
          CancellationToken.None,
        );
        for (const action of actions.filter((a) => a.edit !== undefined)) {
          const fixed = apply(text, editsOf(action));
          for (const l of fixed.split('\n')) JSON.parse(l);
          const code = action.diagnostics?.[0].code;
          const count = (t: string) =>
            lspDiagnostics(t).filter((d) => d.code === code && d.range.start.line === line).length;
          assert.ok(
            count(fixed) < count(text),
            `${action.title} left ${String(code)} on line ${line + 1}:\n${text}\n→\n${fixed}`,
          );
        }
      }
    });
  }
});
