import type { JsonObject, JsonProperty, JsonString } from '../json/ast.ts';
import {
  CHAT_MESSAGES_LINE_KEYS,
  CONVERSATION_KEYS,
  CONVERSATIONS_LINE_KEYS,
  TURNS_LINE_KEYS,
} from '../schema/types.ts';
import type { ChatConversation } from './chat-messages.ts';
import {
  checkConversationMessages,
  checkMessageSequence,
  expectMessageList,
  reportMissingMessageList,
} from './chat-messages.ts';
import { checkConversationMetadata } from './conversation-metadata.ts';
import {
  expectNonEmptyString,
  expectObject,
  expectString,
  reportMissing,
  reportUnknownProperty,
  reportWrongType,
} from './field-checks.ts';
import type { LineReporter } from './line-reporter.ts';

/** What a chat-shaped line holds, once checked. */
export interface ChatLineFields {
  conversations: ChatConversation[];
  /** Legacy turns: `conversation_id` when it is a string. */
  conversationId: JsonString | undefined;
  /** Legacy turns: `system_prompt`, shown before the turns when they start without one. */
  systemPrompt: JsonString | undefined;
}

function emptyFields(): ChatLineFields {
  return { conversations: [], conversationId: undefined, systemPrompt: undefined };
}

/** `{"messages": [...], "metadata"?: {...}}`: one conversation. */
export function checkChatMessagesLine(r: LineReporter, root: JsonObject): ChatLineFields {
  const fields = emptyFields();
  let hasMessages = false;
  for (const property of root.properties) {
    switch (property.key) {
      case 'messages': {
        hasMessages = true;
        const list = expectMessageList(r, property, 'messages');
        fields.conversations = [];
        if (list !== undefined) {
          fields.conversations.push(
            checkConversationMessages(r, list, 'messages', property, 'chat'),
          );
        }
        break;
      }
      case 'metadata':
        checkMetadata(r, property, 'metadata');
        break;
      default:
        reportUnknownProperty(r, property, '', CHAT_MESSAGES_LINE_KEYS);
    }
  }
  if (!hasMessages) reportMissingMessageList(r, root, '', 'messages');
  return fields;
}

/**
 * `{"conversations": [...]}`: either conversations (`{"messages": [...]}`) or one flat list of
 * messages, which is one conversation. The first item decides which; an item of the other kind
 * is a wrong type.
 */
export function checkConversationsLine(r: LineReporter, root: JsonObject): ChatLineFields {
  const fields = emptyFields();
  let hasConversations = false;
  for (const property of root.properties) {
    switch (property.key) {
      case 'conversations': {
        hasConversations = true;
        fields.conversations = [];
        const list = expectMessageList(r, property, 'conversations');
        if (list === undefined) break;
        const first = list.items[0];
        const bundled = first.type === 'object' && first.properties.some(isMessagesKey);
        if (!bundled) {
          fields.conversations.push(
            checkMessageSequence(
              r,
              list.items,
              0,
              list.items.length,
              'conversations',
              property,
              'chat',
            ),
          );
          break;
        }
        for (let i = 0; i < list.items.length; i++) {
          const path = `conversations[${i}]`;
          const item = list.items[i];
          if (item.type !== 'object' || !item.properties.some(isMessagesKey)) {
            reportWrongType(
              r,
              item,
              path,
              'a conversation {"messages": [...]} like conversations[0]',
            );
            continue;
          }
          const conversation = checkConversationItem(r, item, path);
          if (conversation !== undefined) fields.conversations.push(conversation);
        }
        break;
      }
      case 'metadata':
        checkMetadata(r, property, 'metadata');
        break;
      default:
        reportUnknownProperty(r, property, '', CONVERSATIONS_LINE_KEYS);
    }
  }
  if (!hasConversations) reportMissingMessageList(r, root, '', 'conversations');
  return fields;
}

function isMessagesKey(property: JsonProperty): boolean {
  return property.key === 'messages';
}

function checkConversationItem(
  r: LineReporter,
  item: JsonObject,
  path: string,
): ChatConversation | undefined {
  let conversation: ChatConversation | undefined;
  for (const property of item.properties) {
    const fieldPath = `${path}.${property.key}`;
    switch (property.key) {
      case 'messages': {
        const list = expectMessageList(r, property, fieldPath);
        conversation =
          list === undefined
            ? undefined
            : checkConversationMessages(r, list, fieldPath, property, 'chat');
        break;
      }
      case 'metadata':
        checkMetadata(r, property, fieldPath);
        break;
      default:
        reportUnknownProperty(r, property, path, CONVERSATION_KEYS);
    }
  }
  return conversation;
}

/** Legacy `{"conversation_id", "turns": [...]}`: one conversation. */
export function checkTurnsLine(r: LineReporter, root: JsonObject): ChatLineFields {
  const fields = emptyFields();
  let hasTurns = false;
  let hasConversationId = false;
  for (const property of root.properties) {
    const value = property.value;
    switch (property.key) {
      case 'conversation_id':
        hasConversationId = true;
        expectNonEmptyString(
          r,
          value,
          '',
          'conversation_id',
          'Give the conversation an id (a UUID)',
        );
        fields.conversationId = value.type === 'string' ? value : undefined;
        break;
      case 'turns': {
        hasTurns = true;
        fields.conversations = [];
        const list = expectMessageList(r, property, 'turns');
        if (list !== undefined) {
          fields.conversations.push(checkConversationMessages(r, list, 'turns', property, 'turns'));
        }
        break;
      }
      case 'system_prompt':
        fields.systemPrompt = expectString(r, value, '', 'system_prompt');
        break;
      case 'conversation_metadata': {
        const metadata = expectObject(r, value, '', 'conversation_metadata');
        if (metadata !== undefined) checkConversationMetadata(r, metadata, 'conversation_metadata');
        break;
      }
      case 'metadata':
        checkMetadata(r, property, 'metadata');
        break;
      default:
        reportUnknownProperty(r, property, '', TURNS_LINE_KEYS);
    }
  }
  if (!hasTurns) reportMissingMessageList(r, root, '', 'turns');
  if (!hasConversationId) {
    reportMissing(
      r,
      root,
      '',
      'conversation_id',
      'Add "conversation_id": the id of the conversation',
    );
  }
  return fields;
}

/**
 * `metadata` is free-form (conversion keeps v4 fields there), so only its type is checked:
 * its content is never descended into.
 */
function checkMetadata(r: LineReporter, property: JsonProperty, path: string): void {
  expectObject(r, property.value, path, '');
}
