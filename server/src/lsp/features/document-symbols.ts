import type { CancellationToken, DocumentSymbol, Range } from 'vscode-languageserver';
import { SymbolKind } from 'vscode-languageserver';
import type { LineFacts } from '../../../../common/engine/line-facts.ts';
import { throwIfCancelled } from './code-actions/cancellation.ts';

/** The part of an open document the outline reads: line lengths and line facts. */
export interface SymbolDocument {
  readonly lineCount: number;
  line(index: number): string;
  lineFacts(index: number): LineFacts;
}

/** Lines between two checks of the cancellation token. */
const LINES_PER_CHECK = 4096;

/**
 * The outline of a dataset: the `_meta` header, then one symbol per conversation (v4 and legacy
 * turns lines, by `conversation_id`) holding its pairs as `turn N`, and one symbol per line of
 * the chat shapes, whose lines are conversations of their own. Built from the line facts alone,
 * with no parsing. A conversation whose lines are apart spans from its first line to its last
 * (LSP symbols are ranges), so it may enclose lines of another one.
 */
export function documentSymbols(
  document: SymbolDocument,
  token: CancellationToken,
): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = [];
  const conversations = new Map<string, DocumentSymbol>();
  for (let i = 0; i < document.lineCount; i++) {
    if (i % LINES_PER_CHECK === 0) throwIfCancelled(token);
    const facts = document.lineFacts(i);
    const whole = lineRange(i, 0, document.line(i).length);
    if (facts.kind === 'meta') {
      symbols.push(symbol('_meta header', SymbolKind.Module, whole, whole, `line ${i + 1}`));
      continue;
    }
    if (facts.kind !== 'data') continue;
    const conversationId = facts.conversationId;
    if (conversationId === undefined) {
      symbols.push(chatLine(facts, i, whole));
      continue;
    }
    const pair = pairSymbol(facts, i, whole);
    let conversation = conversations.get(conversationId.value);
    if (conversation === undefined) {
      const name =
        conversationId.value.trim() === '' ? '(no conversation id)' : conversationId.value;
      const selection = lineRange(i, conversationId.start, conversationId.end);
      conversation = symbol(name, SymbolKind.Namespace, whole, selection, undefined, []);
      conversations.set(conversationId.value, conversation);
      symbols.push(conversation);
    }
    conversation.children!.push(pair);
    conversation.range = { start: conversation.range.start, end: whole.end };
  }
  for (const conversation of conversations.values()) {
    const count = conversation.children!.length;
    conversation.detail = count === 1 ? '1 line' : `${count} lines`;
  }
  return symbols;
}

function pairSymbol(facts: LineFacts, line: number, whole: Range): DocumentSymbol {
  const turn = facts.turnNumber;
  const id = facts.id;
  const name = turn === undefined ? `line ${line + 1}` : `turn ${turn.value}`;
  const at = id ?? turn;
  const selection =
    at === undefined
      ? lineRange(line, facts.start, facts.start + 1)
      : lineRange(line, at.start, at.end);
  return symbol(name, SymbolKind.Object, whole, selection, id?.value);
}

function chatLine(facts: LineFacts, line: number, whole: Range): DocumentSymbol {
  const messages = facts.samples.reduce((n, s) => n + s.messages.length, 0);
  const conversations = facts.conversations === 1 ? '' : ` · ${facts.conversations} conversations`;
  const detail = facts.samples.length === 0 ? facts.shape : `${messages} messages${conversations}`;
  return symbol(
    `line ${line + 1}`,
    SymbolKind.Object,
    whole,
    lineRange(line, facts.start, facts.start + 1),
    detail,
  );
}

function symbol(
  name: string,
  kind: SymbolKind,
  range: Range,
  selectionRange: Range,
  detail?: string,
  children?: DocumentSymbol[],
): DocumentSymbol {
  const result: DocumentSymbol = { name, kind, range, selectionRange };
  if (detail !== undefined && detail !== '') result.detail = detail;
  if (children !== undefined) result.children = children;
  return result;
}

function lineRange(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}
