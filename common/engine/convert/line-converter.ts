import { analyzeLine } from '../line/analyze-line.ts';
import { renderPair } from '../line/render-pair.ts';
import type { V4PairLine } from '../schema/types.ts';
import type { LineShape } from '../shape.ts';
import { sourceConversations } from './source-conversation.ts';
import { uuidFromText } from './stable-id.ts';
import { conversationToChat, v4PairToChat } from './to-chat.ts';
import { conversationToV4Pairs } from './to-v4.ts';

/** The shapes `brightrun convert --to` writes (dataset-format.md §5). */
export type ConvertTarget = 'brightrun_lora_v4' | 'chat_messages';

export interface ConvertLineResult {
  /** The output lines (JSON, without newlines); none for a blank or dropped line. */
  lines: string[];
  /** What the target shape could not hold, in words for the user. */
  notes: string[];
  /** Set when the line could not be converted (it is not valid); `lines` is then empty. */
  error?: string;
}

/**
 * Converts a file line by line, in order. Pure apart from two pieces of file state: the shape of
 * the first data line (lines without shape markers get it, as in validation) and, towards v4,
 * the pairs already written, because chat lines converted from one v4 conversation repeat its
 * earlier turns and would otherwise yield the same pair once per line.
 */
export class LineConverter {
  private expectedShape: LineShape | undefined;
  private readonly written = new Set<string>();

  constructor(readonly to: ConvertTarget) {}

  convert(text: string): ConvertLineResult {
    const facts = analyzeLine(text, 0, { expectedShape: this.expectedShape });
    if (facts.kind === 'blank') return { lines: [], notes: [] };
    const firstError = facts.diagnostics.find((d) => d.severity === 'error');
    if (facts.kind === 'invalid' || firstError !== undefined) {
      const reason =
        firstError === undefined ? 'it is not valid' : `${firstError.code} ${firstError.message}`;
      return { lines: [], notes: [], error: `not converted: ${reason}` };
    }
    if (facts.kind === 'meta') {
      return this.to === 'brightrun_lora_v4'
        ? { lines: [text.trim()], notes: [] }
        : { lines: [], notes: ['the _meta header was dropped: chat_messages files have none'] };
    }
    const shape = facts.shape ?? 'brightrun_lora_v4';
    this.expectedShape ??= shape;
    try {
      return this.convertData(text, shape);
    } catch (error) {
      // JSON.stringify recurses: a valid line with a value nested thousands of levels deep (in
      // a property the schema does not know) overflows the stack. Report it as this line's
      // problem instead of failing the whole conversion.
      if (error instanceof RangeError) {
        return { lines: [], notes: [], error: 'not converted: a value is nested too deeply' };
      }
      throw error;
    }
  }

  private convertData(text: string, shape: LineShape): ConvertLineResult {
    const value: unknown = JSON.parse(text);

    if (shape === 'brightrun_lora_v4') {
      if (this.to === 'brightrun_lora_v4') return { lines: [JSON.stringify(value)], notes: [] };
      return { lines: [JSON.stringify(v4PairToChat(value as V4PairLine))], notes: [] };
    }
    const conversations = sourceConversations(value, shape);
    if (this.to === 'chat_messages') {
      return { lines: conversations.map((c) => JSON.stringify(conversationToChat(c))), notes: [] };
    }
    const lines: string[] = [];
    const notes: string[] = [];
    for (const conversation of conversations) {
      const converted = conversationToV4Pairs(conversation);
      notes.push(...converted.notes);
      for (const pair of converted.pairs) {
        if (!this.isRepeat(pair)) lines.push(JSON.stringify(pair));
      }
    }
    return { lines, notes };
  }

  /**
   * True when a pair that renders to the same messages in the same conversation was written
   * before. The rendered text is compared, not the fields: a restored pair whose history repeats
   * its user input and a generated pair without the repetition train the same thing. A 128-bit
   * hash stands in for the text so that the set stays small on large files.
   */
  private isRepeat(pair: V4PairLine): boolean {
    const rendered = renderPair(pair).messages.map((m) => `${m.role}\u0000${m.content}`);
    const key = uuidFromText(`${pair.conversation_id}\u0000${rendered.join('\u0000')}`);
    if (this.written.has(key)) return true;
    this.written.add(key);
    return false;
  }
}
