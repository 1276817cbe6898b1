/** The line shapes of dataset-format.md §1. */
export type LineShape = 'brightrun_lora_v4' | 'chat_messages' | 'conversations' | 'turns';

export const LINE_SHAPES: readonly LineShape[] = [
  'brightrun_lora_v4',
  'chat_messages',
  'conversations',
  'turns',
];

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** One message as the trainer sees it. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/**
 * One training sample after normalisation: the rendered chat and which assistant messages
 * are trained on. A v4 pair line yields one sample with one target (the last message).
 */
export interface Sample {
  messages: ChatMessage[];
  /** Indexes into `messages` of the assistant messages that are training targets. */
  targets: number[];
}
