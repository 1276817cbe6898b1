import type { Diagnostic } from './diagnostic.ts';
import type { LineShape, Sample } from './shape.ts';

/** A string value found on a line, with the offsets of the value (quotes included). */
export interface LocatedString {
  value: string;
  start: number;
  end: number;
}

export interface LocatedNumber {
  value: number;
  start: number;
  end: number;
}

/**
 * Everything the rest of the engine needs to know about one line, computed from that line
 * alone (plus the file's expected shape). Pure and cacheable by line text: the language
 * server keeps one per line and the CLI discards it after use.
 */
export interface LineFacts {
  /** blank: only whitespace; invalid: not JSON or not an object; meta: a `_meta` header. */
  kind: 'blank' | 'invalid' | 'meta' | 'data';
  /** The detected shape of a data line (a line with no shape markers gets the expected shape). */
  shape: LineShape | undefined;
  /** True when the shape came from the line's own keys, not from the expected shape. */
  shapeDetected: boolean;
  /** Diagnostics that depend on this line only; ranges are on `line`. */
  diagnostics: Diagnostic[];
  /** A data line with no error-severity line-local diagnostic (counted in the statistics). */
  valid: boolean;
  /** Training targets on this line (assistant messages trained on). */
  pairs: number;
  /** Rendered samples (v4: one; chat shapes: one per conversation). Empty for invalid lines. */
  samples: Sample[];
  /** Conversations on this line: 1 for v4/turns lines, the count for chat shapes. */
  conversations: number;
  /** v4: `id`. */
  id?: LocatedString;
  /** v4 and turns: `conversation_id`. */
  conversationId?: LocatedString;
  /** v4: `turn_number`. */
  turnNumber?: LocatedNumber;
  /**
   * v4: a canonical string of `system_prompt` + `conversation_metadata` (BRL035 compares it
   * across the lines of one conversation), with the range to underline.
   */
  conversationContext?: LocatedString;
  /** `_meta` header facts. */
  meta?: { totalPairs?: LocatedNumber };
  /** v4: offsets of the `target_response` value (BRL040 can point at it). */
  targetRange?: { start: number; end: number };
  /** Offsets of the top-level value on the line (for whole-line diagnostics). */
  start: number;
  end: number;
}
