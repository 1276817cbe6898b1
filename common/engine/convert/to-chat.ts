import { renderPair } from '../line/render-pair.ts';
import { endsWithUserInput } from '../line/render-pair.ts';
import type { ChatLineMetadata, ChatMessagesLine, V4PairLine } from '../schema/types.ts';
import { V4_PAIR_KEYS } from '../schema/types.ts';
import type { SourceConversation } from './source-conversation.ts';

/**
 * A v4 pair as a chat_messages line: the messages it renders to (dataset-format.md §2), and
 * every field chat messages cannot hold kept in `metadata`, so that converting back restores
 * the pair. Keys outside the v4 schema ride along in `metadata` too, since it takes any key.
 */
export function v4PairToChat(pair: V4PairLine): ChatMessagesLine {
  const metadata: ChatLineMetadata = {
    id: pair.id,
    conversation_id: pair.conversation_id,
    turn_number: pair.turn_number,
  };
  if (pair.conversation_metadata !== undefined) {
    metadata.conversation_metadata = pair.conversation_metadata;
  }
  if (pair.emotional_context !== undefined) metadata.emotional_context = pair.emotional_context;
  if (pair.training_metadata !== undefined) metadata.training_metadata = pair.training_metadata;

  const history = pair.conversation_history;
  const numberedInOrder = history.every((turn, i) => turn.turn === i + 1);
  if (!numberedInOrder || history.some((turn) => turn.emotional_state !== undefined)) {
    metadata.history_turns = history.map((turn) =>
      turn.emotional_state === undefined
        ? { turn: turn.turn }
        : { turn: turn.turn, emotional_state: turn.emotional_state },
    );
  }
  if (endsWithUserInput(history, pair.current_user_input)) metadata.user_input_repeated = true;

  for (const key of Object.keys(pair)) {
    if (!(V4_PAIR_KEYS as readonly string[]).includes(key)) {
      metadata[key] = (pair as unknown as Record<string, unknown>)[key];
    }
  }
  return { messages: renderPair(pair).messages, metadata };
}

/** A conversation of another chat layout as a chat_messages line. */
export function conversationToChat(conversation: SourceConversation): ChatMessagesLine {
  const line: ChatMessagesLine = { messages: conversation.messages };
  if (conversation.metadata !== undefined && Object.keys(conversation.metadata).length > 0) {
    line.metadata = conversation.metadata;
  }
  return line;
}
