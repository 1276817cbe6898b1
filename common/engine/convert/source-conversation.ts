import type {
  ChatLineMetadata,
  ChatMessageItem,
  ChatMessagesLine,
  ConversationItem,
  ConversationsLine,
  TurnsLine,
} from '../schema/types.ts';
import type { ChatMessage, LineShape } from '../shape.ts';

/** One conversation read from a chat-shaped line, whatever its layout. */
export interface SourceConversation {
  /** The messages in order, a system message first when the line has a system prompt. */
  messages: ChatMessage[];
  /** The free-form metadata that travels with it (conversion stores v4 fields there). */
  metadata: ChatLineMetadata | undefined;
  /** The conversation's own id (legacy turns lines have one), when it has one. */
  conversationId: string | undefined;
}

/**
 * The conversations of a parsed chat-shaped line that passed validation: a chat_messages or
 * legacy turns line is one conversation, a bundle holds one or more.
 */
export function sourceConversations(
  value: unknown,
  shape: Exclude<LineShape, 'brightrun_lora_v4'>,
): SourceConversation[] {
  switch (shape) {
    case 'chat_messages': {
      const line = value as ChatMessagesLine;
      return [conversation(line.messages, line.metadata)];
    }
    case 'conversations': {
      const line = value as ConversationsLine;
      const items = line.conversations;
      if (items.length > 0 && 'messages' in items[0]) {
        return (items as ConversationItem[]).map((item) =>
          conversation(item.messages, item.metadata ?? line.metadata),
        );
      }
      return [conversation(items as ChatMessageItem[], line.metadata)];
    }
    case 'turns': {
      const line = value as TurnsLine;
      const messages = line.turns.map(toMessage);
      if (
        line.system_prompt !== undefined &&
        line.system_prompt !== '' &&
        messages[0]?.role !== 'system'
      ) {
        messages.unshift({ role: 'system', content: line.system_prompt });
      }
      const metadata: ChatLineMetadata = {
        ...line.metadata,
        conversation_id: line.conversation_id,
      };
      if (line.conversation_metadata !== undefined) {
        metadata.conversation_metadata = line.conversation_metadata;
      }
      return [{ messages, metadata, conversationId: line.conversation_id }];
    }
  }
}

function conversation(
  items: readonly ChatMessageItem[],
  metadata: ChatLineMetadata | undefined,
): SourceConversation {
  const id = metadata?.conversation_id;
  return {
    messages: items.map(toMessage),
    metadata,
    conversationId: typeof id === 'string' && id !== '' ? id : undefined,
  };
}

function toMessage(item: { role: ChatMessage['role']; content: string }): ChatMessage {
  return { role: item.role, content: item.content };
}
