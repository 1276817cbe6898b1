/**
 * Small inline lines for the line, schema and conversion tests. They are typed with the schema
 * types, and the schema test validates them with ajv: a drift between types and schemas fails.
 */
import type {
  ChatMessagesLine,
  ConversationsLine,
  MetaHeaderLine,
  TurnsLine,
  V4PairLine,
} from '../../../common/engine/schema/types.ts';

export const SYSTEM_PROMPT =
  'You are Elena Morales, a warm and precise financial planner. You explain money decisions in plain words, never shame the client, and refer crises to professionals.';

/** A complete v4 pair with every optional object filled in. */
export function fullPair(): V4PairLine {
  return {
    id: 'fp_marcus_turn2_1a2b3c4d',
    conversation_id: '6f1c2d3e-0000-4000-8000-000000000001',
    turn_number: 2,
    conversation_metadata: {
      client_persona: 'Marcus Chen - The Overwhelmed Avoider',
      persona_archetype: 'overwhelmed_avoider',
      client_background: 'Software engineer, 34, avoids opening his bank statements',
      emotional_arc: 'Overwhelm → Triage',
      emotional_arc_key: 'overwhelm_to_triage',
      training_topic: 'Budget triage',
      training_topic_key: 'budget_triage',
      session_context: 'First video call',
      conversation_phase: 'exploring_deeper_concern',
      expected_outcome: 'One small next step',
    },
    system_prompt: SYSTEM_PROMPT,
    conversation_history: [
      {
        turn: 1,
        role: 'user',
        content: 'I have not opened my statements in months.',
        emotional_state: { primary: 'shame', secondary: 'fear', intensity: 0.7 },
      },
    ],
    current_user_input: 'I have not opened my statements in months.',
    emotional_context: {
      detected_emotions: {
        primary: 'shame',
        primary_confidence: 0.8,
        secondary: 'fear',
        secondary_confidence: 0.5,
        intensity: 0.7,
        valence: 'negative',
      },
    },
    target_response: 'That takes courage to say. Let us open just one statement together.',
    training_metadata: {
      difficulty_level: 'intermediate',
      key_learning_objective: 'Normalise avoidance',
      demonstrates_skills: ['validation', 'small steps'],
      conversation_turn: 2,
      emotional_progression_target: 'shame → relief',
      quality_score: 4.5,
      quality_criteria: {
        empathy_score: 5,
        clarity_score: 4,
        appropriateness_score: 5,
        brand_voice_alignment: 4,
      },
      human_reviewed: true,
      reviewer_notes: null,
      use_as_seed_example: false,
      generate_variations_count: 3,
    },
  };
}

/** The smallest valid v4 pair: a first turn with an empty history. */
export function minimalPair(): V4PairLine {
  return {
    id: 'p1',
    conversation_id: 'c1',
    turn_number: 1,
    system_prompt: SYSTEM_PROMPT,
    conversation_history: [],
    current_user_input: 'Hello',
    target_response: 'Hi, how can I help?',
  };
}

export const VALID_META: MetaHeaderLine = {
  _meta: {
    file_name: 'a.jsonl',
    total_pairs: 2,
    version: '4.0.0',
    format_spec: 'brightrun-lora-v4',
    description: 'x',
  },
};

export const VALID_CHAT: ChatMessagesLine = {
  messages: [
    { role: 'system', content: 'Be kind.' },
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello' },
    { role: 'user', content: 'Bye' },
    { role: 'assistant', content: 'Take care' },
  ],
  metadata: { conversation_id: 'c9', source: 'export' },
};

export const VALID_CONVERSATIONS: ConversationsLine = {
  conversations: [
    {
      messages: [
        { role: 'user', content: 'A' },
        { role: 'assistant', content: 'B' },
      ],
    },
    {
      messages: [
        { role: 'user', content: 'C' },
        { role: 'assistant', content: 'D' },
      ],
      metadata: {},
    },
  ],
};

export const VALID_FLAT_CONVERSATIONS: ConversationsLine = {
  conversations: [
    { role: 'user', content: 'A' },
    { role: 'assistant', content: 'B' },
  ],
};

export const VALID_TURNS: TurnsLine = {
  conversation_id: 'legacy-1',
  system_prompt: 'Be kind.',
  conversation_metadata: { persona_archetype: 'anxious_planner' },
  metadata: { source: 'legacy-export' },
  turns: [
    { role: 'user', content: 'Hi', turn: 1 },
    { role: 'assistant', content: 'Hello', turn: 2 },
  ],
};

/**
 * The columns of the `occurrence`-th (0-based) appearance of `needle` in `text`, end exclusive,
 * so a test can state a range by the text it covers.
 */
export function colsOf(text: string, needle: string, occurrence = 0): [number, number] {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (#${occurrence}) not in ${text}`);
  }
  return [at, at + needle.length];
}

/**
 * The columns of the value written right after `"key":` (the first such key), checked to be
 * `valueText`, in a line produced by JSON.stringify (no spaces).
 */
export function valueCols(
  text: string,
  key: string,
  valueText: string,
  occurrence = 0,
): [number, number] {
  const [, end] = colsOf(text, `"${key}":`, occurrence);
  if (!text.startsWith(valueText, end)) {
    throw new Error(`value of ${key} is not ${valueText}: ${text.slice(end, end + 40)}`);
  }
  return [end, end + valueText.length];
}

/** The columns of the key `"key"` (quotes included), the `occurrence`-th one. */
export function keyCols(text: string, key: string, occurrence = 0): [number, number] {
  const [start] = colsOf(text, `"${key}":`, occurrence);
  return [start, start + key.length + 2];
}
