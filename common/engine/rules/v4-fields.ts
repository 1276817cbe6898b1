import type { JsonNumber, JsonObject, JsonString } from '../json/ast.ts';
import { V4_PAIR_KEYS } from '../schema/types.ts';
import type { CanonicalMetadata } from './conversation-metadata.ts';
import { checkConversationMetadata } from './conversation-metadata.ts';
import { checkEmotionalContext } from './emotional-context.ts';
import {
  expectArray,
  expectInteger,
  expectNonEmptyString,
  expectObject,
  reportMissing,
  reportUnknownProperty,
} from './field-checks.ts';
import type { HistoryFacts } from './history.ts';
import { checkHistory, checkHistoryLength, checkLastUserTurn } from './history.ts';
import type { LineReporter } from './line-reporter.ts';
import { checkConversationTurn, checkTrainingMetadata } from './training-metadata.ts';

/** Below this many characters a system prompt rarely carries enough persona (BRL027). */
export const SHORT_SYSTEM_PROMPT = 100;

/** The fields of a v4 pair that passed their checks (undefined when missing or invalid). */
export interface V4PairFields {
  /** `id` and `conversation_id` as written when they are strings, even empty ones. */
  id: JsonString | undefined;
  conversationId: JsonString | undefined;
  turnNumber: JsonNumber | undefined;
  systemPrompt: JsonString | undefined;
  conversationMetadata: JsonObject | undefined;
  /** Its properties in canonical key order (see checkConversationMetadata). */
  conversationMetadataSlots: CanonicalMetadata;
  history: HistoryFacts | undefined;
  currentUserInput: JsonString | undefined;
  targetResponse: JsonString | undefined;
}

/**
 * Checks a brightrun_lora_v4 pair line (dataset-format.md §2): the top-level fields, each nested
 * object through its own rule module, then the rules that compare fields with each other.
 */
export function checkV4Pair(r: LineReporter, root: JsonObject): V4PairFields {
  const fields: V4PairFields = {
    id: undefined,
    conversationId: undefined,
    turnNumber: undefined,
    systemPrompt: undefined,
    conversationMetadata: undefined,
    conversationMetadataSlots: undefined,
    history: undefined,
    currentUserInput: undefined,
    targetResponse: undefined,
  };
  // Presence is tracked apart from validity: a present but invalid field is not "missing".
  let present = 0;
  let conversationTurn: JsonNumber | undefined;

  for (const property of root.properties) {
    const value = property.value;
    switch (property.key) {
      case 'id':
        present |= ID;
        expectNonEmptyString(r, value, '', 'id', 'Give the pair a unique id');
        fields.id = value.type === 'string' ? value : undefined;
        break;
      case 'conversation_id':
        present |= CONVERSATION_ID;
        expectNonEmptyString(
          r,
          value,
          '',
          'conversation_id',
          'Give the conversation an id (a UUID)',
        );
        fields.conversationId = value.type === 'string' ? value : undefined;
        break;
      case 'turn_number':
        present |= TURN_NUMBER;
        fields.turnNumber = expectInteger(r, value, '', 'turn_number', 1);
        break;
      case 'system_prompt':
        present |= SYSTEM_PROMPT;
        fields.systemPrompt = expectNonEmptyString(
          r,
          value,
          '',
          'system_prompt',
          'Write the system prompt the model sees before the conversation',
        );
        if (fields.systemPrompt !== undefined) checkSystemPromptLength(r, fields.systemPrompt);
        break;
      case 'conversation_history': {
        present |= HISTORY;
        const history = expectArray(r, value, '', 'conversation_history');
        fields.history = history === undefined ? undefined : checkHistory(r, history);
        break;
      }
      case 'current_user_input':
        present |= CURRENT_USER_INPUT;
        fields.currentUserInput = expectNonEmptyString(
          r,
          value,
          '',
          'current_user_input',
          'Write the user message the target response answers',
        );
        break;
      case 'target_response':
        present |= TARGET_RESPONSE;
        fields.targetResponse = expectNonEmptyString(
          r,
          value,
          '',
          'target_response',
          "Write the assistant's reply the model should learn",
        );
        break;
      case 'conversation_metadata': {
        const metadata = expectObject(r, value, '', 'conversation_metadata');
        fields.conversationMetadata = metadata;
        fields.conversationMetadataSlots =
          metadata === undefined
            ? undefined
            : checkConversationMetadata(r, metadata, 'conversation_metadata');
        break;
      }
      case 'emotional_context': {
        const context = expectObject(r, value, '', 'emotional_context');
        if (context !== undefined) checkEmotionalContext(r, context, 'emotional_context');
        break;
      }
      case 'training_metadata': {
        const metadata = expectObject(r, value, '', 'training_metadata');
        conversationTurn =
          metadata === undefined
            ? undefined
            : checkTrainingMetadata(r, metadata, 'training_metadata');
        break;
      }
      default:
        reportUnknownProperty(r, property, '', V4_PAIR_KEYS);
    }
  }

  if (present !== ALL_REQUIRED) reportMissingFields(r, root, present);

  const { turnNumber, history, currentUserInput } = fields;
  if (history !== undefined && turnNumber !== undefined) checkHistoryLength(r, history, turnNumber);
  if (history !== undefined && currentUserInput !== undefined) {
    checkLastUserTurn(r, history, currentUserInput);
  }
  if (conversationTurn !== undefined && turnNumber !== undefined) {
    checkConversationTurn(r, conversationTurn, turnNumber);
  }
  return fields;
}

// One bit per required field, so the common case (all present) is a single comparison.
const ID = 1;
const CONVERSATION_ID = 2;
const TURN_NUMBER = 4;
const SYSTEM_PROMPT = 8;
const HISTORY = 16;
const CURRENT_USER_INPUT = 32;
const TARGET_RESPONSE = 64;
const ALL_REQUIRED = 127;

const REQUIRED: readonly { bit: number; field: string; suggestion: string }[] = [
  { bit: ID, field: 'id', suggestion: 'Add "id": a unique id for this pair' },
  {
    bit: CONVERSATION_ID,
    field: 'conversation_id',
    suggestion: 'Add "conversation_id": the id shared by the pairs of one conversation',
  },
  {
    bit: TURN_NUMBER,
    field: 'turn_number',
    suggestion: 'Add "turn_number": the assistant turn this pair trains (1 for the first)',
  },
  { bit: SYSTEM_PROMPT, field: 'system_prompt', suggestion: 'Add "system_prompt"' },
  {
    bit: HISTORY,
    field: 'conversation_history',
    suggestion: 'Add "conversation_history": the earlier turns ([] for the first turn)',
  },
  {
    bit: CURRENT_USER_INPUT,
    field: 'current_user_input',
    suggestion: 'Add "current_user_input" with the user message this pair answers',
  },
  {
    bit: TARGET_RESPONSE,
    field: 'target_response',
    suggestion: 'Add "target_response" with the assistant\'s reply',
  },
];

function reportMissingFields(r: LineReporter, root: JsonObject, present: number): void {
  for (const { bit, field, suggestion } of REQUIRED) {
    if ((present & bit) === 0) reportMissing(r, root, '', field, suggestion);
  }
}

function checkSystemPromptLength(r: LineReporter, prompt: JsonString): void {
  const length = prompt.value.length;
  if (length >= SHORT_SYSTEM_PROMPT) return;
  r.report(
    'BRL027',
    prompt.start,
    prompt.end,
    `system_prompt has ${length} characters; fewer than ${SHORT_SYSTEM_PROMPT} rarely describe the assistant well enough`,
    {
      suggestion: 'Describe the assistant: who it is, its tone, what it must and must not do',
      data: { path: 'system_prompt', min: SHORT_SYSTEM_PROMPT, actual: length },
    },
  );
}
