import type { JsonObject } from '../json/ast.ts';
import type { LineFacts } from '../line-facts.ts';
import type { ChatMessage, LineShape, Sample } from '../shape.ts';
import type { ChatLineFields } from '../rules/chat-lines.ts';
import {
  checkChatMessagesLine,
  checkConversationsLine,
  checkTurnsLine,
} from '../rules/chat-lines.ts';
import type { LineReporter } from '../rules/line-reporter.ts';

type ChatShape = Exclude<LineShape, 'brightrun_lora_v4'>;

/** Checks a chat-shaped line and gathers its facts: one sample per conversation. */
export function chatLineFacts(
  root: JsonObject,
  r: LineReporter,
  shape: ChatShape,
  shapeDetected: boolean,
): LineFacts {
  const fields = checkChatLine(r, root, shape);
  const valid = !r.hasError;
  let pairs = 0;
  const samples: Sample[] = [];
  for (const conversation of fields.conversations) {
    pairs += conversation.assistants;
    if (valid && conversation.messages !== undefined) {
      samples.push(toSample(withSystemPrompt(conversation.messages, fields)));
    }
  }
  return {
    kind: 'data',
    shape,
    shapeDetected,
    diagnostics: r.diagnostics,
    valid,
    pairs,
    samples,
    conversations: fields.conversations.length,
    conversationId: fields.conversationId,
    start: root.start,
    end: root.end,
  };
}

function checkChatLine(r: LineReporter, root: JsonObject, shape: ChatShape): ChatLineFields {
  switch (shape) {
    case 'chat_messages':
      return checkChatMessagesLine(r, root);
    case 'conversations':
      return checkConversationsLine(r, root);
    case 'turns':
      return checkTurnsLine(r, root);
  }
}

/** A legacy turns line may carry its system prompt beside the turns instead of in them. */
function withSystemPrompt(messages: ChatMessage[], fields: ChatLineFields): ChatMessage[] {
  const prompt = fields.systemPrompt?.value;
  if (prompt === undefined || prompt === '' || messages[0]?.role === 'system') return messages;
  return [{ role: 'system', content: prompt }, ...messages];
}

/** Every assistant message of a chat is a training target. */
function toSample(messages: ChatMessage[]): Sample {
  const targets: number[] = [];
  for (let i = 0; i < messages.length; i++) {
    if (messages[i].role === 'assistant') targets.push(i);
  }
  return { messages, targets };
}
