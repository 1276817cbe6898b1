import type { JsonArray, JsonNumber, JsonObject, JsonString } from '../json/ast.ts';
import type { V4HistoryTurn } from '../schema/types.ts';
import { V4_HISTORY_TURN_KEYS } from '../schema/types.ts';
import type { V4HistoryRole } from '../vocabulary.ts';
import { V4_HISTORY_ROLES, suggestRole } from '../vocabulary.ts';
import { checkEmotionalState } from './emotional-context.ts';
import {
  checkClosedValue,
  childPath,
  expectInteger,
  expectNonEmptyString,
  expectObject,
  expectString,
  reportMissing,
  reportUnknownProperty,
} from './field-checks.ts';
import type { LineReporter } from './line-reporter.ts';

const PATH = 'conversation_history';

export type HistoryMessage = Pick<V4HistoryTurn, 'role' | 'content'>;

/** What the pair-level checks and the renderer need from `conversation_history`. */
export interface HistoryFacts {
  /** The turns as chat messages, or undefined when a turn lacks a valid role or content. */
  messages: HistoryMessage[] | undefined;
  /** Number of items in the array. */
  length: number;
  /** The last turn when it is a valid user turn (BRL034 compares it with the current input). */
  lastUserContent: JsonString | undefined;
}

/**
 * Checks each history turn (fields, BRL031 numbering, BRL033 alternation). Numbering and
 * alternation are reported at the first place they break only: one missing turn would
 * otherwise flag every turn after it.
 */
export function checkHistory(r: LineReporter, array: JsonArray): HistoryFacts {
  const items = array.items;
  let messages: HistoryMessage[] | undefined = [];
  let numberingReported = false;
  let alternationReported = false;
  let previousRole: V4HistoryRole | undefined;
  let lastUserContent: JsonString | undefined;

  for (let i = 0; i < items.length; i++) {
    const path = `${PATH}[${i}]`;
    const turn = expectObject(r, items[i], path, '');
    lastUserContent = undefined;
    if (turn === undefined) {
      messages = undefined;
      previousRole = undefined;
      continue;
    }
    const fields = checkTurnFields(r, turn, path);

    if (fields.turn !== undefined && !numberingReported && fields.turn.value !== i + 1) {
      numberingReported = true;
      reportNumbering(r, fields.turn, path, i + 1);
    }

    const role = fields.role;
    if (role !== undefined && !alternationReported) {
      const expected: V4HistoryRole | undefined =
        i === 0 ? 'user' : previousRole === undefined ? undefined : other(previousRole);
      if (expected !== undefined && role.value !== expected) {
        alternationReported = true;
        reportAlternation(r, role, path, expected, i === 0);
      }
    }
    previousRole = role?.value as V4HistoryRole | undefined;

    if (role === undefined || fields.content === undefined) {
      messages = undefined;
    } else {
      messages?.push({ role: role.value as V4HistoryRole, content: fields.content.value });
      if (role.value === 'user') lastUserContent = fields.content;
    }
  }
  return { messages, length: items.length, lastUserContent };
}

interface TurnFields {
  turn: JsonNumber | undefined;
  /** Set only when the role is "user" or "assistant". */
  role: JsonString | undefined;
  content: JsonString | undefined;
}

function checkTurnFields(r: LineReporter, object: JsonObject, path: string): TurnFields {
  const fields: TurnFields = { turn: undefined, role: undefined, content: undefined };
  let hasTurn = false;
  let hasRole = false;
  let hasContent = false;
  for (const property of object.properties) {
    switch (property.key) {
      case 'turn':
        hasTurn = true;
        fields.turn = expectInteger(r, property.value, path, property.key, 1);
        break;
      case 'role': {
        hasRole = true;
        const role = expectString(r, property.value, path, property.key);
        const ok =
          role !== undefined &&
          checkClosedValue(r, role, path, property.key, V4_HISTORY_ROLES, suggestRole);
        fields.role = ok ? role : undefined;
        break;
      }
      case 'content':
        hasContent = true;
        fields.content = expectNonEmptyString(
          r,
          property.value,
          path,
          property.key,
          'Write the text of this turn',
        );
        break;
      case 'emotional_state': {
        const state = expectObject(r, property.value, path, property.key);
        if (state !== undefined) checkEmotionalState(r, state, childPath(path, property.key));
        break;
      }
      default:
        reportUnknownProperty(r, property, path, V4_HISTORY_TURN_KEYS);
    }
  }
  if (!hasTurn)
    reportMissing(r, object, path, 'turn', 'Add "turn": its position in the history (1, 2, …)');
  if (!hasRole) reportMissing(r, object, path, 'role', 'Add "role": "user" or "assistant"');
  if (!hasContent)
    reportMissing(r, object, path, 'content', 'Add "content": the text of this turn');
  return fields;
}

function other(role: V4HistoryRole): V4HistoryRole {
  return role === 'user' ? 'assistant' : 'user';
}

function reportNumbering(r: LineReporter, turn: JsonNumber, path: string, expected: number): void {
  r.report(
    'BRL031',
    turn.start,
    turn.end,
    `${path}.turn is ${turn.value}; history turns must be numbered 1..n in order, so this one should be ${expected}`,
    {
      suggestion: `Renumber the history turns 1..n (this one: ${expected})`,
      data: { path: `${path}.turn`, expected },
    },
  );
}

function reportAlternation(
  r: LineReporter,
  role: JsonString,
  path: string,
  expected: V4HistoryRole,
  first: boolean,
): void {
  const message = first
    ? `${path}.role is "${role.value}"; the history must start with a user turn`
    : `${path}.role is "${role.value}" like the turn before it; user and assistant turns must alternate`;
  r.report('BRL033', role.start, role.end, message, {
    suggestion: `Make this a "${expected}" turn, or add the missing turn before it`,
    data: { path: `${path}.role`, expected },
  });
}

/** BRL032: the history should hold every turn before this one, `turn_number − 1` of them. */
export function checkHistoryLength(
  r: LineReporter,
  history: HistoryFacts,
  turnNumber: JsonNumber,
): void {
  const expected = turnNumber.value - 1;
  if (history.length === expected) return;
  r.report(
    'BRL032',
    turnNumber.start,
    turnNumber.end,
    `conversation_history has ${history.length} turns but turn_number ${turnNumber.value} expects ${expected}`,
    {
      suggestion: `Set turn_number to ${history.length + 1}, or complete conversation_history`,
      data: { path: 'turn_number', expected: history.length + 1, historyLength: history.length },
    },
  );
}

/**
 * BRL034: a history that ends with a user turn should end with this pair's own input (real v4
 * files repeat it there); a different text means two user messages in a row.
 */
export function checkLastUserTurn(
  r: LineReporter,
  history: HistoryFacts,
  currentUserInput: JsonString,
): void {
  const last = history.lastUserContent;
  if (last === undefined || last.value === currentUserInput.value) return;
  r.report(
    'BRL034',
    currentUserInput.start,
    currentUserInput.end,
    `conversation_history ends with a user turn whose content differs from current_user_input`,
    {
      suggestion:
        'Make current_user_input repeat the last user turn, or end the history with the assistant turn',
      data: { path: 'current_user_input', historyContent: last.value },
      related: [
        {
          range: r.range(last.start, last.end),
          message: `conversation_history[${history.length - 1}].content`,
        },
      ],
    },
  );
}
