import type { ChatRole } from '../shape.ts';
import type { V4HistoryRole, Valence } from '../vocabulary.ts';

/**
 * Hand-written types for the line shapes the JSON Schemas in `schemas/` describe. The key
 * lists below are checked against the types at compile time (every key of the type must be
 * listed, and only keys of the type) and against the schemas at run time
 * (test/unit/schemas/schema-types.test.ts), so the three cannot drift apart silently.
 */

// ---------------------------------------------------------------- _meta header

export interface MetaHeaderLine {
  _meta: MetaHeader;
}

export interface MetaHeader {
  file_name?: string;
  total_pairs?: number;
  version: string;
  format_spec?: 'brightrun-lora-v4';
  description?: string;
}

// ---------------------------------------------------------------- brightrun_lora_v4 pair

export interface V4PairLine {
  id: string;
  conversation_id: string;
  turn_number: number;
  conversation_metadata?: V4ConversationMetadata;
  system_prompt: string;
  conversation_history: V4HistoryTurn[];
  current_user_input: string;
  emotional_context?: V4EmotionalContext;
  target_response: string;
  training_metadata?: V4TrainingMetadata;
}

export interface V4HistoryTurn {
  turn: number;
  role: V4HistoryRole;
  content: string;
  emotional_state?: V4EmotionalState;
}

export interface V4EmotionalState {
  primary: string;
  secondary?: string;
  intensity: number;
}

export interface V4ConversationMetadata {
  client_persona?: string;
  persona_archetype?: string;
  client_background?: string;
  emotional_arc?: string;
  emotional_arc_key?: string;
  training_topic?: string;
  training_topic_key?: string;
  session_context?: string;
  conversation_phase?: string;
  expected_outcome?: string;
}

export interface V4EmotionalContext {
  detected_emotions: V4DetectedEmotions;
}

export interface V4DetectedEmotions {
  primary: string;
  primary_confidence: number;
  secondary?: string;
  secondary_confidence?: number;
  intensity: number;
  valence: Valence;
}

export interface V4TrainingMetadata {
  difficulty_level?: string;
  key_learning_objective?: string;
  demonstrates_skills?: string[];
  conversation_turn?: number;
  emotional_progression_target?: string;
  quality_score?: number;
  quality_criteria?: V4QualityCriteria;
  human_reviewed?: boolean;
  reviewer_notes?: string | null;
  use_as_seed_example?: boolean;
  generate_variations_count?: number;
}

export interface V4QualityCriteria {
  empathy_score?: number;
  clarity_score?: number;
  appropriateness_score?: number;
  brand_voice_alignment?: number;
}

// ---------------------------------------------------------------- chat shapes

export interface ChatMessageItem {
  role: ChatRole;
  content: string;
  name?: string;
  tool_call_id?: string;
  tool_calls?: unknown[];
}

/**
 * Free-form facts carried beside the messages. The documented keys are what
 * `convert --to chat_messages` writes so a later conversion back to v4 can restore them.
 */
export interface ChatLineMetadata {
  id?: string;
  conversation_id?: string;
  turn_number?: number;
  conversation_metadata?: V4ConversationMetadata;
  emotional_context?: V4EmotionalContext;
  training_metadata?: V4TrainingMetadata;
  /** One entry per history turn: its `turn` number and `emotional_state`, when it had one. */
  history_turns?: { turn?: number; emotional_state?: V4EmotionalState }[];
  /** The v4 history ended with the user turn that `current_user_input` repeats. */
  user_input_repeated?: boolean;
  [key: string]: unknown;
}

export interface ChatMessagesLine {
  messages: ChatMessageItem[];
  metadata?: ChatLineMetadata;
}

export interface ConversationItem {
  messages: ChatMessageItem[];
  metadata?: ChatLineMetadata;
}

export interface ConversationsLine {
  /** Either conversations, or one flat list of messages (which counts as one conversation). */
  conversations: ConversationItem[] | ChatMessageItem[];
  metadata?: ChatLineMetadata;
}

export interface TurnsLine {
  conversation_id: string;
  turns: TurnItem[];
  system_prompt?: string;
  conversation_metadata?: V4ConversationMetadata;
  metadata?: ChatLineMetadata;
}

export interface TurnItem {
  role: ChatRole;
  content: string;
  turn?: number;
}

// ---------------------------------------------------------------- key lists

/**
 * Returns a function that accepts a tuple of keys of `T` and fails to compile when a key of
 * `T` is missing from it, naming the missing keys in the error.
 */
function keysOf<T>() {
  return <const K extends readonly (keyof T & string)[]>(
    keys: K &
      ([Exclude<keyof T & string, K[number]>] extends [never]
        ? unknown
        : { missingKeys: Exclude<keyof T & string, K[number]> }),
  ): K => keys;
}

/** The keys of a type whose index signature lets it hold any key: list only the named ones. */
type NamedKeys<T> = {
  [K in keyof T as string extends K ? never : K]: T[K];
};

export const META_HEADER_LINE_KEYS = keysOf<MetaHeaderLine>()(['_meta']);
export const META_HEADER_KEYS = keysOf<MetaHeader>()([
  'file_name',
  'total_pairs',
  'version',
  'format_spec',
  'description',
]);

export const V4_PAIR_KEYS = keysOf<V4PairLine>()([
  'id',
  'conversation_id',
  'turn_number',
  'conversation_metadata',
  'system_prompt',
  'conversation_history',
  'current_user_input',
  'emotional_context',
  'target_response',
  'training_metadata',
]);
export const V4_HISTORY_TURN_KEYS = keysOf<V4HistoryTurn>()([
  'turn',
  'role',
  'content',
  'emotional_state',
]);
export const V4_EMOTIONAL_STATE_KEYS = keysOf<V4EmotionalState>()([
  'primary',
  'secondary',
  'intensity',
]);
export const V4_CONVERSATION_METADATA_KEYS = keysOf<V4ConversationMetadata>()([
  'client_persona',
  'persona_archetype',
  'client_background',
  'emotional_arc',
  'emotional_arc_key',
  'training_topic',
  'training_topic_key',
  'session_context',
  'conversation_phase',
  'expected_outcome',
]);
export const V4_EMOTIONAL_CONTEXT_KEYS = keysOf<V4EmotionalContext>()(['detected_emotions']);
export const V4_DETECTED_EMOTIONS_KEYS = keysOf<V4DetectedEmotions>()([
  'primary',
  'primary_confidence',
  'secondary',
  'secondary_confidence',
  'intensity',
  'valence',
]);
export const V4_TRAINING_METADATA_KEYS = keysOf<V4TrainingMetadata>()([
  'difficulty_level',
  'key_learning_objective',
  'demonstrates_skills',
  'conversation_turn',
  'emotional_progression_target',
  'quality_score',
  'quality_criteria',
  'human_reviewed',
  'reviewer_notes',
  'use_as_seed_example',
  'generate_variations_count',
]);
export const V4_QUALITY_CRITERIA_KEYS = keysOf<V4QualityCriteria>()([
  'empathy_score',
  'clarity_score',
  'appropriateness_score',
  'brand_voice_alignment',
]);

export const CHAT_MESSAGE_KEYS = keysOf<ChatMessageItem>()([
  'role',
  'content',
  'name',
  'tool_call_id',
  'tool_calls',
]);
export const CHAT_LINE_METADATA_KEYS = keysOf<NamedKeys<ChatLineMetadata>>()([
  'id',
  'conversation_id',
  'turn_number',
  'conversation_metadata',
  'emotional_context',
  'training_metadata',
  'history_turns',
  'user_input_repeated',
]);
export const CHAT_MESSAGES_LINE_KEYS = keysOf<ChatMessagesLine>()(['messages', 'metadata']);
export const CONVERSATION_KEYS = keysOf<ConversationItem>()(['messages', 'metadata']);
export const CONVERSATIONS_LINE_KEYS = keysOf<ConversationsLine>()(['conversations', 'metadata']);
export const TURNS_LINE_KEYS = keysOf<TurnsLine>()([
  'conversation_id',
  'turns',
  'system_prompt',
  'conversation_metadata',
  'metadata',
]);
export const TURN_KEYS = keysOf<TurnItem>()(['role', 'content', 'turn']);
