import type { ChatMessage } from '../shape.ts';

/**
 * What the cross-line rules and the statistics need from a v4 pair line that the byte-level
 * fast path (V4LineScanner) accepted, as numbers: fingerprints instead of strings, columns
 * instead of nodes. A line is only accepted when the full path (analyzeLine) would report no
 * line-local diagnostic, so these facts stand for a valid line with one sample.
 *
 * Columns are UTF-16 columns on the line (byte offsets on an ASCII line; the scanner converts
 * them on a line whose messages hold multi-byte text). Strings are decoded only when a cross-line
 * rule fires and its message quotes them (`idText`, `conversationIdText`).
 */
export interface CompactV4Facts {
  /** Columns of the line's object (`{` to after `}`). */
  start: number;
  end: number;
  /** `fingerprintHalves` of the `id` value, and the columns of the value (quotes included). */
  idHi: number;
  idLo: number;
  idStart: number;
  idEnd: number;
  /** `fingerprintHalves` of the `conversation_id` value. */
  conversationHi: number;
  conversationLo: number;
  /** `turn_number` and its columns. */
  turn: number;
  turnStart: number;
  turnEnd: number;
  /** Low half of the fingerprint of the canonical conversation context (see conversationContext). */
  contextHash: number;
  /** Columns of the `system_prompt` value (BRL035 underlines it). */
  contextStart: number;
  contextEnd: number;
  /** The sample key (KeyKind.Sample, already mixed) of the line's one rendered sample. */
  sampleHi: number;
  sampleLo: number;
  /** User and assistant messages of the rendered sample. */
  turns: number;
  /** The `id` and `conversation_id` values, decoded on demand (while the line is pushed). */
  idText: () => string;
  conversationIdText: () => string;
  /** The rendered sample's messages, decoded on demand (while the line is pushed). */
  messages: () => ChatMessage[];
}
