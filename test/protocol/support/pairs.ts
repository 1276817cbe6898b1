/** Small brightrun_lora_v4 lines for protocol tests. */

export const SYSTEM_PROMPT =
  'You are a calm, practical financial coach who helps people take one small step at a time toward their goals.';

export interface PairFields {
  id: string;
  conversation: string;
  turn: number;
  input?: string;
  response?: string;
  systemPrompt?: string;
}

/** One valid pair line (no history, so use turn 1 unless a test wants BRL032). */
export function pair(fields: PairFields): string {
  return JSON.stringify({
    id: fields.id,
    conversation_id: fields.conversation,
    turn_number: fields.turn,
    system_prompt: fields.systemPrompt ?? SYSTEM_PROMPT,
    conversation_history: [],
    current_user_input: fields.input ?? `Question ${fields.id}: how do I start saving?`,
    target_response: fields.response ?? `Answer ${fields.id}: set up one small automatic transfer.`,
  });
}

/** `n` valid pairs, each its own conversation: a clean training-ready file body. */
export function cleanPairs(n: number, prefix = 'p'): string[] {
  return Array.from({ length: n }, (_, i) =>
    pair({ id: `${prefix}${i}`, conversation: `${prefix}c${i}`, turn: 1 }),
  );
}
