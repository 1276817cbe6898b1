import type { JsonArray, JsonNode, JsonObject, JsonProperty, JsonString } from '../json/ast.ts';
import { getProperty } from '../json/ast.ts';
import { CHAT_MESSAGE_KEYS, TURN_KEYS } from '../schema/types.ts';
import type { ChatMessage, ChatRole } from '../shape.ts';
import { CHAT_ROLES, suggestRole } from '../vocabulary.ts';
import {
  childPath,
  expectArray,
  expectInteger,
  expectObject,
  expectString,
  isBlank,
  reportMissing,
  reportUnknownProperty,
  reportWrongType,
} from './field-checks.ts';
import type { LineReporter } from './line-reporter.ts';

/** One conversation of a chat-shaped line, as far as it could be read. */
export interface ChatConversation {
  /** The messages, or undefined when one of them lacks a valid role or content. */
  messages: ChatMessage[] | undefined;
  /** Assistant messages: the training targets. */
  assistants: number;
}

/** Which keys a message may have: chat messages, or legacy turns (which add `turn`). */
export type MessageKeys = 'chat' | 'turns';

/**
 * BRL050 when the property holding the messages is not a non-empty array; returns the array
 * otherwise. `property` is the `messages`/`turns`/`conversations` property.
 */
export function expectMessageList(
  r: LineReporter,
  property: JsonProperty,
  path: string,
): JsonArray | undefined {
  const value = property.value;
  if (value.type !== 'array') {
    reportWrongType(r, value, path, 'an array of messages', 'BRL050');
    return undefined;
  }
  if (value.items.length === 0) {
    r.report('BRL050', value.start, value.end, `${path} is empty`, {
      suggestion: 'Add the messages of the conversation',
      data: { path },
    });
    return undefined;
  }
  return value;
}

/** BRL050 on the `{` of an object that lacks its list of messages. */
export function reportMissingMessageList(
  r: LineReporter,
  object: JsonObject,
  parentPath: string,
  field: string,
): void {
  reportMissing(
    r,
    object,
    parentPath,
    field,
    `Add "${field}": [{"role": "user", "content": …}, {"role": "assistant", "content": …}]`,
    'BRL050',
  );
}

/**
 * Checks a non-empty list of messages as one conversation: each message (BRL051 role,
 * BRL054 content), the order (BRL053) and that something is trained on (BRL052, reported on
 * `listKey`, the key that holds the list).
 */
export function checkConversationMessages(
  r: LineReporter,
  list: JsonArray,
  path: string,
  listKey: JsonProperty,
  keys: MessageKeys,
): ChatConversation {
  return checkMessageSequence(r, list.items, 0, list.items.length, path, listKey, keys);
}

/** Like checkConversationMessages for `items[from..to)`, used by flat conversation bundles. */
export function checkMessageSequence(
  r: LineReporter,
  items: readonly JsonNode[],
  from: number,
  to: number,
  path: string,
  listKey: JsonProperty,
  keys: MessageKeys,
): ChatConversation {
  let messages: ChatMessage[] | undefined = [];
  let assistants = 0;
  let previous: ChatRole | undefined;
  for (let i = from; i < to; i++) {
    const itemPath = `${path}[${i}]`;
    const message = expectObject(r, items[i], itemPath, '');
    if (message === undefined) {
      messages = undefined;
      previous = undefined;
      continue;
    }
    const { role, content } = checkMessageFields(r, message, itemPath, keys);
    if (role !== undefined) {
      const value = role.value as ChatRole;
      checkOrder(r, role, value, previous, i === from, itemPath);
      if (value === 'assistant') assistants++;
      // A tool result sits between an assistant call and the assistant's next words; it breaks
      // the user/assistant rhythm on purpose, so the order check starts over after it.
      previous = value === 'tool' ? undefined : value;
    } else {
      previous = undefined;
    }
    if (role === undefined || content === undefined) messages = undefined;
    else messages?.push({ role: role.value as ChatRole, content: content.value });
  }
  if (assistants === 0 && !hasInvalidRole(items, from, to)) {
    r.report(
      'BRL052',
      listKey.keyStart,
      listKey.keyEnd,
      `${path} has no assistant message, so there is nothing to train on`,
      {
        suggestion: 'Add the assistant reply the model should learn',
        data: { path },
      },
    );
  }
  return { messages, assistants };
}

/**
 * True when some message has a role that is not a valid one; then BRL051 already says what
 * is wrong and a "no assistant message" on top would only repeat it.
 */
function hasInvalidRole(items: readonly JsonNode[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const item = items[i];
    if (item.type !== 'object') return true;
    const role = getProperty(item, 'role');
    if (role?.value.type !== 'string') return true;
    if (!(CHAT_ROLES as readonly string[]).includes(role.value.value)) return true;
  }
  return false;
}

interface MessageFields {
  /** Set only when the role is one of CHAT_ROLES. */
  role: JsonString | undefined;
  /** Set only when the content is a non-empty string. */
  content: JsonString | undefined;
}

function checkMessageFields(
  r: LineReporter,
  object: JsonObject,
  path: string,
  keys: MessageKeys,
): MessageFields {
  const fields: MessageFields = { role: undefined, content: undefined };
  let hasRole = false;
  let hasContent = false;
  for (const property of object.properties) {
    const value = property.value;
    switch (property.key) {
      case 'role':
        hasRole = true;
        fields.role = checkRole(r, value, path, property.key);
        break;
      case 'content':
        hasContent = true;
        fields.content = checkContent(r, value, path, property.key);
        break;
      case 'name':
      case 'tool_call_id':
        if (keys === 'chat') expectString(r, value, path, property.key);
        else reportUnknownProperty(r, property, path, TURN_KEYS);
        break;
      case 'tool_calls':
        // Kept as written and never descended into: its structure belongs to the tool API.
        if (keys === 'chat') expectArray(r, value, path, property.key);
        else reportUnknownProperty(r, property, path, TURN_KEYS);
        break;
      case 'turn':
        if (keys === 'turns') expectInteger(r, value, path, property.key, 1);
        else reportUnknownProperty(r, property, path, CHAT_MESSAGE_KEYS);
        break;
      default:
        reportUnknownProperty(r, property, path, keys === 'chat' ? CHAT_MESSAGE_KEYS : TURN_KEYS);
    }
  }
  if (!hasRole) {
    reportMissing(r, object, path, 'role', 'Add "role": "user", "assistant" or "system"', 'BRL051');
  }
  if (!hasContent) {
    reportMissing(r, object, path, 'content', 'Add "content": the text of the message', 'BRL054');
  }
  return fields;
}

function checkRole(
  r: LineReporter,
  value: JsonNode,
  parent: string,
  key: string,
): JsonString | undefined {
  if (value.type === 'string' && (CHAT_ROLES as readonly string[]).includes(value.value)) {
    return value;
  }
  const path = childPath(parent, key);
  if (value.type !== 'string') {
    reportWrongType(r, value, path, 'a role string', 'BRL051');
    return undefined;
  }
  const expected = suggestRole(value.value, CHAT_ROLES);
  r.report(
    'BRL051',
    value.start,
    value.end,
    `${path} "${value.value}" is not a chat role (system, user, assistant, tool)`,
    {
      suggestion:
        expected !== undefined
          ? `Replace "${value.value}" with "${expected}"`
          : 'Use "system", "user", "assistant" or "tool"',
      data:
        expected !== undefined
          ? { path, allowed: CHAT_ROLES, expected }
          : { path, allowed: CHAT_ROLES },
    },
  );
  return undefined;
}

function checkContent(
  r: LineReporter,
  value: JsonNode,
  parent: string,
  key: string,
): JsonString | undefined {
  if (value.type !== 'string') {
    reportWrongType(r, value, childPath(parent, key), 'a string', 'BRL054');
    return undefined;
  }
  if (isBlank(value.value)) {
    const path = childPath(parent, key);
    r.report('BRL054', value.start, value.end, `${path} is empty`, {
      suggestion: 'Write the text of the message',
      data: { path },
    });
    return undefined;
  }
  return value;
}

/** BRL053: a system message only first; user and assistant messages alternate. */
function checkOrder(
  r: LineReporter,
  node: JsonString,
  role: ChatRole,
  previous: ChatRole | undefined,
  first: boolean,
  path: string,
): void {
  if (role === 'system') {
    if (first) return;
    r.report(
      'BRL053',
      node.start,
      node.end,
      `${path} is a system message but not the first message`,
      {
        suggestion: 'Move the system message to the start of the conversation',
        data: { path: `${path}.role` },
      },
    );
    return;
  }
  if (role === 'tool' || role !== previous) return;
  const expected = role === 'user' ? 'assistant' : 'user';
  r.report(
    'BRL053',
    node.start,
    node.end,
    `${path} is a second ${role} message in a row; user and assistant messages must alternate`,
    {
      suggestion: `Merge it with the message before, or add the missing ${expected} message`,
      data: { path: `${path}.role`, expected },
    },
  );
}
