import type { V4HistoryTurn, V4PairLine } from '../schema/types.ts';
import type { ChatMessage, Sample } from '../shape.ts';

/** The fields of a v4 pair that rendering reads (a parsed pair line has all of them). */
export type RenderablePair = Pick<
  V4PairLine,
  'system_prompt' | 'current_user_input' | 'target_response'
> & {
  conversation_history: readonly Pick<V4HistoryTurn, 'role' | 'content'>[];
};

/**
 * Renders a v4 pair as the chat the trainer sees (dataset-format.md §2): the system prompt,
 * the history in order, the current user input, and the target response as the one training
 * target. Real v4 files often end the history with the very user message that
 * `current_user_input` repeats; it is rendered once, so the model never trains on a doubled
 * user turn. An empty system prompt renders no system message.
 */
export function renderPair(pair: RenderablePair): Sample {
  const history = pair.conversation_history;
  const messages: ChatMessage[] = [];
  if (pair.system_prompt !== '') messages.push({ role: 'system', content: pair.system_prompt });
  for (const turn of history) messages.push({ role: turn.role, content: turn.content });
  if (!endsWithUserInput(history, pair.current_user_input)) {
    messages.push({ role: 'user', content: pair.current_user_input });
  }
  messages.push({ role: 'assistant', content: pair.target_response });
  return { messages, targets: [messages.length - 1] };
}

/** True when the history's last turn is a user turn saying exactly `input`. */
export function endsWithUserInput(
  history: RenderablePair['conversation_history'],
  input: string,
): boolean {
  const last = history[history.length - 1];
  return last !== undefined && last.role === 'user' && last.content === input;
}
