import type { ChatRole } from './shape.ts';

/**
 * The closed and open value lists of dataset-format.md §2 and §3, declared once. The JSON
 * Schemas repeat them (JSON cannot import TypeScript); test/unit/schemas keeps both in step.
 */

/** Roles a v4 history turn may have (closed list: another value is BRL026). */
export const V4_HISTORY_ROLES = ['user', 'assistant'] as const;
export type V4HistoryRole = (typeof V4_HISTORY_ROLES)[number];

/** Roles a chat-shape message may have (closed list: another value is BRL051). */
export const CHAT_ROLES = [
  'system',
  'user',
  'assistant',
  'tool',
] as const satisfies readonly ChatRole[];

/** `emotional_context.detected_emotions.valence` (closed list: another value is BRL026). */
export const VALENCES = ['positive', 'negative', 'mixed'] as const;
export type Valence = (typeof VALENCES)[number];

/** Known `conversation_metadata.persona_archetype` values (open list: another value is BRL025). */
export const PERSONA_ARCHETYPES = [
  'pragmatic_optimist',
  'anxious_planner',
  'overwhelmed_avoider',
] as const;

/** Known `conversation_metadata.emotional_arc_key` values (open list). */
export const EMOTIONAL_ARC_KEYS = [
  'confusion_to_clarity',
  'shame_to_acceptance',
  'fear_to_confidence',
  'overwhelm_to_empowerment',
  'couple_conflict_to_alignment',
  'hostility_to_boundary',
  'crisis_to_referral',
  'overwhelm_to_triage',
] as const;

/** Known `conversation_metadata.conversation_phase` values (open list). */
export const CONVERSATION_PHASES = [
  'initial_opportunity_exploration',
  'initial_shame_revelation',
  'initial_crisis_disclosure',
  'exploring_deeper_concern',
  'practical_implementation',
  'commitment_and_closure',
] as const;

/**
 * Role names other tools write (ShareGPT, Gemini, capitalised exports) and the role they mean.
 * Quick fixes offer the mapped role; the lookup key is the lower-cased value.
 */
const ROLE_ALIASES: ReadonlyMap<string, ChatRole> = new Map(
  Object.entries({
    system: 'system',
    user: 'user',
    human: 'user',
    client: 'user',
    customer: 'user',
    assistant: 'assistant',
    gpt: 'assistant',
    bot: 'assistant',
    ai: 'assistant',
    model: 'assistant',
    advisor: 'assistant',
    tool: 'tool',
    function: 'tool',
  } satisfies Record<string, ChatRole>),
);

/**
 * The allowed role a wrong role value most likely meant, or undefined when there is no good
 * guess (then a quick fix should list `allowed` instead).
 */
export function suggestRole(value: string, allowed: readonly string[]): string | undefined {
  const mapped = ROLE_ALIASES.get(value.trim().toLowerCase());
  return mapped !== undefined && allowed.includes(mapped) ? mapped : undefined;
}
