/**
 * The snippet for a whole new v4 pair line that continues the conversation of the line above:
 * same conversation and system prompt, the next turn number, and a history that is the previous
 * history plus the previous pair's user input and target response.
 */

interface HistoryTurn {
  turn: number;
  role: string;
  content: string;
}

const USER_SENTINEL = '\u0000USER\u0000';
const REPLY_SENTINEL = '\u0000REPLY\u0000';
const ID_SENTINEL = '\u0000ID\u0000';
const SYSTEM_SENTINEL = '\u0000SYSTEM\u0000';

/** Fresh identifiers for new pairs (random in the server, fixed in tests). */
export interface IdSource {
  /** Eight lowercase hex digits. */
  hex(): string;
  uuid(): string;
}

/** `previous` is the JSON text of the pair line above, or undefined to start a conversation. */
export function newPairSnippet(previous: string | undefined, ids: IdSource): string {
  const prev = parseObject(previous);
  if (prev === undefined) return freshConversationSnippet(ids);
  const turnNumber = typeof prev.turn_number === 'number' ? prev.turn_number + 1 : 1;
  const history = continueHistory(prev);
  const pair: Record<string, unknown> = {
    id: nextId(prev.id, turnNumber, ids),
    conversation_id: prev.conversation_id,
    turn_number: turnNumber,
  };
  if (prev.conversation_metadata !== undefined) {
    pair.conversation_metadata = prev.conversation_metadata;
  }
  pair.system_prompt = prev.system_prompt;
  pair.conversation_history = history;
  pair.current_user_input = USER_SENTINEL;
  pair.target_response = REPLY_SENTINEL;
  return toSnippet(pair, undefined);
}

function freshConversationSnippet(ids: IdSource): string {
  const pair = {
    id: ID_SENTINEL,
    conversation_id: ids.uuid(),
    turn_number: 1,
    system_prompt: SYSTEM_SENTINEL,
    conversation_history: [],
    current_user_input: USER_SENTINEL,
    target_response: REPLY_SENTINEL,
  };
  return toSnippet(pair, `conversation_turn1_${ids.hex()}`);
}

function continueHistory(prev: Record<string, unknown>): HistoryTurn[] {
  const history: HistoryTurn[] = Array.isArray(prev.conversation_history)
    ? (prev.conversation_history as unknown[]).filter(isTurn)
    : [];
  const input = typeof prev.current_user_input === 'string' ? prev.current_user_input : '';
  const last = history[history.length - 1];
  // Real v4 files often repeat the user message at the end of the history already.
  if (!(last?.role === 'user' && last.content === input)) {
    history.push({ turn: history.length + 1, role: 'user', content: input });
  }
  const reply = typeof prev.target_response === 'string' ? prev.target_response : '';
  history.push({ turn: history.length + 1, role: 'assistant', content: reply });
  return history;
}

function nextId(id: unknown, turnNumber: number, ids: IdSource): string {
  const conventional = typeof id === 'string' ? /^(.*)_turn\d+_[0-9a-f]{8}$/.exec(id) : null;
  const template = conventional?.[1] ?? 'pair';
  return `${template}_turn${turnNumber}_${ids.hex()}`;
}

/** Serialises `pair` and turns the sentinels into tab stops, escaping snippet syntax. */
function toSnippet(pair: Record<string, unknown>, idPlaceholder: string | undefined): string {
  // Replacer functions: a replacement string would give `$` a meaning of its own.
  return escapeSnippet(JSON.stringify(pair))
    .replace(placeholderOf(ID_SENTINEL), () => `"\${1:${escapeSnippet(idPlaceholder ?? 'id')}}"`)
    .replace(placeholderOf(SYSTEM_SENTINEL), () => '"${2:You are …}"')
    .replace(placeholderOf(USER_SENTINEL), () => '"${3:user message}"')
    .replace(placeholderOf(REPLY_SENTINEL), () => '"${4:assistant reply}"$0');
}

/** How a sentinel string value reads once serialised and escaped. */
function placeholderOf(sentinel: string): string {
  return escapeSnippet(JSON.stringify(sentinel));
}

/** Snippet syntax gives `$`, `}` and `\` meaning; literal text must escape them. */
function escapeSnippet(text: string): string {
  return text.replace(/[$}\\]/g, (c) => '\\' + c);
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isTurn(value: unknown): value is HistoryTurn {
  if (typeof value !== 'object' || value === null) return false;
  const turn = value as Record<string, unknown>;
  return typeof turn.role === 'string' && typeof turn.content === 'string';
}
