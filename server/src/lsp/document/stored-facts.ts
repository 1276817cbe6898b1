import type { Diagnostic } from '../../../../common/engine/diagnostic.ts';
import type { CompactV4Facts } from '../../../../common/engine/fast/compact-facts.ts';
import { contentFingerprint, lastFingerprint } from '../../../../common/engine/hash/fingerprint.ts';
import { analyzeLine } from '../../../../common/engine/line/analyze-line.ts';
import type {
  LineFacts,
  LocatedNumber,
  LocatedString,
} from '../../../../common/engine/line-facts.ts';
import type { LineShape, Sample } from '../../../../common/engine/shape.ts';
import type { IndexedFacts } from '../../documents/cross-line-index.ts';

const NO_DIAGNOSTICS: Diagnostic[] = [];

/**
 * The hash of a conversation context that BRL035 compares: the low half of its
 * `contentFingerprint`, which is what the byte-level fast path computes from the raw bytes
 * (V4LineScanner's `contextHash`) and what the CLI's checker compares, so lines analysed either
 * way agree. Consecutive lines of a conversation repeat their context, so the last one is
 * remembered rather than hashed again.
 */
let lastContext = '';
let lastContextHash = 0;
function contextHash(context: string): number {
  if (context !== lastContext) {
    contentFingerprint(context);
    lastContext = context;
    lastContextHash = lastFingerprint.lo;
  }
  return lastContextHash;
}

/** A column that a line accepted by the fast path has but its compact facts do not carry. */
const LOCATE = -2;

/** Recently rendered samples, by line text: hover, completion and token counting ask again. */
const recent = new Map<string, Sample[]>();
const RECENT_LIMIT = 64;

/**
 * The facts of one line as an open document keeps them, for as long as the line is unchanged.
 *
 * Everything the cross-line rules, the summary and the features read is kept, except the two
 * things that cost memory in proportion to the text: the rendered samples (every message of a
 * v4 line's history, again on every line of its conversation) are rendered again from the line
 * when asked for, and the canonical conversation context (system prompt and metadata, often
 * hundreds of characters per line) is kept as a hash, which is all BRL035 compares. A 50 MB
 * document then costs a few hundred bytes per line besides its text.
 *
 * Facts come from the full analysis (`analyzeLine`) or, for a clean v4 pair line, from the
 * byte-level fast path (`accepted`), which says the same in far less time: a valid data line of
 * shape brightrun_lora_v4 with one sample and no diagnostic, its keys' values and columns. The
 * two columns it does not report (the `conversation_id` and `target_response` values, read by
 * document symbols and BRL040) are found in the line when first asked for.
 */
export class StoredFacts implements IndexedFacts {
  readonly kind: LineFacts['kind'];
  readonly shape: LineShape | undefined;
  readonly shapeDetected: boolean;
  readonly diagnostics: Diagnostic[];
  readonly valid: boolean;
  readonly pairs: number;
  readonly conversations: number;
  readonly meta: LineFacts['meta'];
  readonly start: number;
  readonly end: number;
  /** How many samples the line renders (without rendering them). */
  readonly sampleCount: number;
  // Located values are kept flat (a line is then one object, not six) and rebuilt on access.
  readonly idValue: string | undefined;
  private readonly idStart: number;
  private readonly idEnd: number;
  readonly conversationValue: string | undefined;
  private conversationStart: number;
  private conversationEnd: number;
  readonly turnValue: number | undefined;
  private readonly turnStart: number;
  private readonly turnEnd: number;
  readonly contextValue: number | undefined;
  private readonly contextStart: number;
  private readonly contextEnd: number;
  private targetStart: number;
  private targetEnd: number;

  /**
   * From the full analysis of `text`, or (`compact` given) from the fast path's facts of it,
   * with the `id` and `conversation_id` values it decoded.
   */
  constructor(
    private readonly text: string,
    facts: LineFacts | undefined,
    compact?: { facts: CompactV4Facts; id: string; conversation: string },
  ) {
    if (facts === undefined) {
      const c = compact!.facts;
      this.kind = 'data';
      this.shape = 'brightrun_lora_v4';
      this.shapeDetected = true;
      this.diagnostics = NO_DIAGNOSTICS;
      this.valid = true;
      this.pairs = 1;
      this.conversations = 1;
      this.meta = undefined;
      this.start = c.start;
      this.end = c.end;
      this.sampleCount = 1;
      this.idValue = compact!.id;
      this.idStart = c.idStart;
      this.idEnd = c.idEnd;
      this.conversationValue = compact!.conversation;
      this.conversationStart = LOCATE;
      this.conversationEnd = LOCATE;
      this.turnValue = c.turn;
      this.turnStart = c.turnStart;
      this.turnEnd = c.turnEnd;
      this.contextValue = c.contextHash;
      this.contextStart = c.contextStart;
      this.contextEnd = c.contextEnd;
      this.targetStart = LOCATE;
      this.targetEnd = LOCATE;
      return;
    }
    this.kind = facts.kind;
    this.shape = facts.shape;
    this.shapeDetected = facts.shapeDetected;
    this.diagnostics = facts.diagnostics.length === 0 ? NO_DIAGNOSTICS : facts.diagnostics;
    this.valid = facts.valid;
    this.pairs = facts.pairs;
    this.conversations = facts.conversations;
    this.meta = facts.meta;
    this.start = facts.start;
    this.end = facts.end;
    this.sampleCount = facts.samples.length;
    const { id, conversationId, turnNumber, conversationContext, targetRange } = facts;
    this.idValue = id?.value;
    this.idStart = id?.start ?? -1;
    this.idEnd = id?.end ?? -1;
    this.conversationValue = conversationId?.value;
    this.conversationStart = conversationId?.start ?? -1;
    this.conversationEnd = conversationId?.end ?? -1;
    this.turnValue = turnNumber?.value;
    this.turnStart = turnNumber?.start ?? -1;
    this.turnEnd = turnNumber?.end ?? -1;
    this.contextValue =
      conversationContext === undefined ? undefined : contextHash(conversationContext.value);
    this.contextStart = conversationContext?.start ?? -1;
    this.contextEnd = conversationContext?.end ?? -1;
    this.targetStart = targetRange?.start ?? -1;
    this.targetEnd = targetRange?.end ?? -1;
  }

  get id(): LocatedString | undefined {
    const value = this.idValue;
    return value === undefined ? undefined : { value, start: this.idStart, end: this.idEnd };
  }

  get conversationId(): LocatedString | undefined {
    const value = this.conversationValue;
    if (value === undefined) return undefined;
    if (this.conversationStart === LOCATE) {
      this.conversationStart = valueStart(this.text, '"conversation_id"');
      this.conversationEnd = this.text.indexOf('"', this.conversationStart + 1) + 1;
    }
    return { value, start: this.conversationStart, end: this.conversationEnd };
  }

  get turnNumber(): LocatedNumber | undefined {
    const value = this.turnValue;
    return value === undefined ? undefined : { value, start: this.turnStart, end: this.turnEnd };
  }

  /** The context's hash (what BRL035 compares), with the range to underline. */
  get conversationContext(): LocatedString | undefined {
    const value = this.contextValue;
    return value === undefined
      ? undefined
      : { value: String(value), start: this.contextStart, end: this.contextEnd };
  }

  get targetRange(): LineFacts['targetRange'] {
    if (this.targetStart === LOCATE) {
      this.targetStart = valueStart(this.text, '"target_response"');
      this.targetEnd = this.text.indexOf('"', this.targetStart + 1) + 1;
    }
    return this.targetStart < 0 ? undefined : { start: this.targetStart, end: this.targetEnd };
  }

  /** The rendered samples, rendered again from the line (and kept for a while). */
  get samples(): Sample[] {
    if (this.sampleCount === 0) return [];
    let samples = recent.get(this.text);
    if (samples === undefined) {
      samples = this.renderSamples();
      if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value!);
      recent.set(this.text, samples);
    }
    return samples;
  }

  /** The rendered samples, rendered again without keeping them (bulk work: token counting). */
  renderSamples(): Sample[] {
    if (this.sampleCount === 0) return [];
    return analyzeLine(this.text, 0, { expectedShape: this.shape }).samples;
  }
}

/**
 * Where the string value of `key` starts in a line the fast path accepted. Such a line has no
 * escape at all, so the quoted key followed by a colon can only be that key (a string value
 * equal to the key's name is followed by a comma or a bracket), and the fast path rejects
 * unknown keys in nested objects; the value is a string without escapes, which ends at the
 * next quote.
 */
function valueStart(text: string, key: string): number {
  for (let at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + 1)) {
    let p = skipSpaces(text, at + key.length);
    if (text.charCodeAt(p) !== 0x3a) continue;
    p = skipSpaces(text, p + 1);
    if (text.charCodeAt(p) === 0x22) return p;
  }
  return -1;
}

function skipSpaces(text: string, p: number): number {
  for (;;) {
    const c = text.charCodeAt(p);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return p;
    p++;
  }
}
