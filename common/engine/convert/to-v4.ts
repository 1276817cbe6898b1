import type { ChatLineMetadata, V4HistoryTurn, V4PairLine } from '../schema/types.ts';
import { CHAT_LINE_METADATA_KEYS } from '../schema/types.ts';
import type { ChatMessage } from '../shape.ts';
import type { V4HistoryRole } from '../vocabulary.ts';
import type { SourceConversation } from './source-conversation.ts';
import { pairId, uuidFromText } from './stable-id.ts';

/** The v4 pairs of one conversation, and what could not be carried over. */
export interface V4Conversion {
  pairs: V4PairLine[];
  notes: string[];
}

interface DialogMessage {
  role: V4HistoryRole;
  content: string;
}

/**
 * One v4 pair per assistant message of a conversation (each is a training target in a chat
 * shape): the user message right before it becomes `current_user_input`, everything earlier the
 * history, numbered 1..n, and `turn_number` is the history length + 1, which is what the v4 rules
 * (BRL031, BRL032) expect. When the metadata came from a v4 pair (`convert --to chat_messages`
 * writes id and turn_number there), the last assistant message gets that pair back as it was.
 */
export function conversationToV4Pairs(conversation: SourceConversation): V4Conversion {
  const notes: string[] = [];
  let messages = conversation.messages;
  let systemPrompt = '';
  if (messages[0]?.role === 'system') {
    systemPrompt = messages[0].content;
    messages = messages.slice(1);
  } else {
    notes.push('no system message: system_prompt is empty, which v4 reports as an error (BRL023)');
  }
  const dialog = dialogOf(messages, notes);
  const metadata = conversation.metadata;
  // The system prompt takes part: the same dialog under two prompts is two conversations.
  const conversationId =
    conversation.conversationId ??
    uuidFromText(conversation.messages.map((m) => `${m.role}\u0000${m.content}`).join('\u0000'));
  noteDroppedMetadata(metadata, notes);

  const restorable = typeof metadata?.id === 'string' && Number.isInteger(metadata.turn_number);
  let lastAssistant = -1;
  for (let k = 0; k < dialog.length; k++) if (dialog[k].role === 'assistant') lastAssistant = k;

  const pairs: V4PairLine[] = [];
  for (let k = 0; k < dialog.length; k++) {
    if (dialog[k].role !== 'assistant') continue;
    if (k === 0 || dialog[k - 1].role !== 'user') {
      notes.push(
        `assistant message ${k + 1} has no user message right before it: no v4 pair for it`,
      );
      continue;
    }
    const restore = restorable && k === lastAssistant ? metadata : undefined;
    pairs.push(pairFor(dialog, k, conversationId, systemPrompt, metadata, restore));
  }
  return { pairs, notes };
}

function dialogOf(messages: readonly ChatMessage[], notes: string[]): DialogMessage[] {
  const dialog: DialogMessage[] = [];
  for (const message of messages) {
    if (message.role === 'user' || message.role === 'assistant') {
      dialog.push({ role: message.role, content: message.content });
    } else {
      notes.push(
        `a ${message.role} message was dropped: v4 history holds user and assistant turns only`,
      );
    }
  }
  return dialog;
}

function pairFor(
  dialog: readonly DialogMessage[],
  k: number,
  conversationId: string,
  systemPrompt: string,
  metadata: ChatLineMetadata | undefined,
  restore: ChatLineMetadata | undefined,
): V4PairLine {
  const currentUserInput = dialog[k - 1].content;
  const targetResponse = dialog[k].content;
  // A restored pair whose history repeated the user input gets that turn back.
  const historyEnd = restore?.user_input_repeated === true ? k : k - 1;
  const history: V4HistoryTurn[] = dialog
    .slice(0, historyEnd)
    .map((m, i) => ({ turn: i + 1, role: m.role, content: m.content }));
  const annotations = restore?.history_turns;
  if (annotations !== undefined && annotations.length === history.length) {
    history.forEach((turn, i) => {
      const annotation = annotations[i];
      if (Number.isInteger(annotation.turn)) turn.turn = annotation.turn as number;
      if (annotation.emotional_state !== undefined)
        turn.emotional_state = annotation.emotional_state;
    });
  }
  const turnNumber = restore?.turn_number ?? history.length + 1;

  // Key order follows dataset-format.md §2, so converted files read like hand-written ones.
  const pair: Partial<V4PairLine> = {
    id:
      restore?.id ??
      pairId(conversationId, turnNumber, `${currentUserInput}\u0000${targetResponse}`),
    conversation_id: conversationId,
    turn_number: turnNumber,
  };
  if (metadata?.conversation_metadata !== undefined) {
    pair.conversation_metadata = metadata.conversation_metadata;
  }
  pair.system_prompt = systemPrompt;
  pair.conversation_history = history;
  pair.current_user_input = currentUserInput;
  if (restore?.emotional_context !== undefined) pair.emotional_context = restore.emotional_context;
  pair.target_response = targetResponse;
  if (restore?.training_metadata !== undefined) pair.training_metadata = restore.training_metadata;
  return pair as V4PairLine;
}

function noteDroppedMetadata(metadata: ChatLineMetadata | undefined, notes: string[]): void {
  if (metadata === undefined) return;
  const dropped = Object.keys(metadata).filter(
    (key) => !(CHAT_LINE_METADATA_KEYS as readonly string[]).includes(key),
  );
  if (dropped.length > 0) {
    notes.push(`metadata keys with no place in v4 were dropped: ${dropped.join(', ')}`);
  }
}
