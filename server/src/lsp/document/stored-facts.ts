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
 * hundreds of characters per line) is kept as a fingerprint, which is all BRL035 compares. A
 * 50 MB document then costs a few hundred bytes per line besides its text.
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
  private readonly conversationStart: number;
  private readonly conversationEnd: number;
  readonly turnValue: number | undefined;
  private readonly turnStart: number;
  private readonly turnEnd: number;
  readonly contextValue: string | undefined;
  private readonly contextStart: number;
  private readonly contextEnd: number;
  private readonly targetStart: number;
  private readonly targetEnd: number;

  constructor(
    private readonly text: string,
    facts: LineFacts,
  ) {
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
      conversationContext === undefined ? undefined : contextKey(conversationContext.value);
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
    return value === undefined
      ? undefined
      : { value, start: this.conversationStart, end: this.conversationEnd };
  }

  get turnNumber(): LocatedNumber | undefined {
    const value = this.turnValue;
    return value === undefined ? undefined : { value, start: this.turnStart, end: this.turnEnd };
  }

  /** The context's fingerprint (what BRL035 compares), with the range to underline. */
  get conversationContext(): LocatedString | undefined {
    const value = this.contextValue;
    return value === undefined
      ? undefined
      : { value, start: this.contextStart, end: this.contextEnd };
  }

  get targetRange(): LineFacts['targetRange'] {
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
