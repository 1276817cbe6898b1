/**
 * Builders of small inline JSONL documents for the dataset tests: valid v4 pair lines whose
 * fields a test can vary, so each test shows exactly what differs between its lines.
 */
export const PROMPT =
  'You are a calm, precise financial planner. You explain money decisions in plain words and never shame the client for past choices.';

export interface PairOptions {
  id?: string;
  conversation?: string;
  turn?: number;
  prompt?: string;
  input?: string;
  target?: string;
}

/** One valid v4 pair line (first turn of its conversation unless `turn` says otherwise). */
export function pairLine(options: PairOptions = {}): string {
  const turn = options.turn ?? 1;
  const history = [];
  for (let t = 1; t < turn; t++) {
    history.push({ turn: t, role: t % 2 === 1 ? 'user' : 'assistant', content: `turn ${t}` });
  }
  return JSON.stringify({
    id: options.id ?? 'p1',
    conversation_id: options.conversation ?? 'c1',
    turn_number: turn,
    system_prompt: options.prompt ?? PROMPT,
    conversation_history: history,
    current_user_input: options.input ?? 'How do I start a budget?',
    target_response: options.target ?? 'Start by writing down what comes in and what goes out.',
  });
}

/** `count` valid pairs with distinct ids, conversations and samples. */
export function distinctPairs(count: number, prefix = 'q'): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      pairLine({
        id: `${prefix}${i}`,
        conversation: `${prefix}c${i}`,
        input: `Question ${prefix}${i}?`,
      }),
    );
  }
  return lines;
}

/** The column where `needle` starts in `line` (throws when absent, so a test cannot pass by accident). */
export function columnOf(line: string, needle: string, from = 0): number {
  const at = line.indexOf(needle, from);
  if (at < 0) throw new Error(`${needle} not in ${line}`);
  return at;
}
