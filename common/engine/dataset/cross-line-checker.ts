import type { Diagnostic } from '../diagnostic.ts';
import type { Fingerprint } from '../hash/fingerprint.ts';
import { contentFingerprint, lastFingerprint } from '../hash/fingerprint.ts';
import type { LineFacts, LocatedNumber, LocatedString } from '../line-facts.ts';
import type { LineShape } from '../shape.ts';
import { ColumnLog } from './column-log.ts';
import { ConversationTracker } from './conversation-tracker.ts';
import {
  blankLineDiagnostic,
  byteOrderMarkDiagnostic,
  conversationContextDiagnostic,
  duplicateIdDiagnostic,
  duplicateSampleDiagnostic,
  duplicateTurnDiagnostic,
  fewPairsDiagnostic,
  misplacedMetaDiagnostic,
  shapeMismatchDiagnostic,
  totalPairsDiagnostic,
} from './cross-line-diagnostics.ts';
import { FirstLineTable } from './first-line-table.ts';
import type { CompactV4Facts } from '../fast/compact-facts.ts';
import { KeyKind, SampleKeys, keyFingerprint, stringKey, stringKeyOf } from './key-fingerprints.ts';
import { metaKeyRange, shapeKeyRange } from './marker-keys.ts';

/**
 * Table entries per line: a sample for every shape; a v4 line adds its id and, every four
 * lines or so, a conversation; a turns line is a conversation of its own.
 */
const KEYS_PER_LINE: Record<LineShape, number> = {
  brightrun_lora_v4: 2.25,
  chat_messages: 1,
  conversations: 1,
  turns: 2,
};

/** Fewer training pairs than this in a file is BRL041. */
export const MIN_TRAINING_PAIRS = 10;

/**
 * The rules that need more than one line (dataset-format.md §3: BRL003, BRL004, BRL010, BRL011,
 * BRL030, BRL035, BRL036, BRL037, BRL041, BRL055), checked in one pass over lines that arrive in
 * order. Diagnostics go to `emit` with their default severity as soon as they are known;
 * nothing is accumulated per diagnostic.
 *
 * Memory: keys are 64-bit fingerprints, never strings, so a false duplicate needs a 64-bit
 * collision. A v4 line costs about 24 bytes (its id and its sample in a FirstLineTable, its
 * conversation a fifth of a record in a ConversationTracker); bench/crossline-memory.ts
 * measures it.
 *
 * Ranges of related locations on earlier lines: the first `id` value is exact (its start column
 * is kept in a ColumnLog; its length is that of the repeated id, which differs only when the two
 * lines escape the same id differently). For the other rules the related location is the whole
 * earlier line, from its start to the start of the next line, because keeping columns for every
 * line would cost more than all the rest of the state.
 */
export class CrossLineChecker {
  private readonly table = new FirstLineTable();
  private readonly conversations = new ConversationTracker(this.table);
  private readonly idColumns = new ColumnLog();
  private readonly conversation: Fingerprint = { hi: 0, lo: 0 };
  private readonly sampleKeys = new SampleKeys();
  /** The last conversation context hashed: consecutive lines of a conversation repeat it. */
  private lastContext = '';
  private lastContextHash = 0;
  /** The conversation record of the line checked last, or -1 when it has none. */
  private lastRecord = -1;

  /** The file's shape: that of the first data line whose shape came from its own keys. */
  private shape: LineShape | undefined;
  private shapeLine = -1;
  /** `_meta.total_pairs` of a header on line 1. */
  private totalPairs: LocatedNumber | undefined;
  /** Training pairs written in the file (BRL011 compares `_meta.total_pairs` with it). */
  private pairLines = 0;
  /** Lines to size the state for once the shape is known (see `reserve`). */
  private reservedLines = 0;
  /** Blank lines not yet followed by a non-blank line: start line and the length of each. */
  private blankStart = -1;
  private blankLengths: number[] = [];

  constructor(private readonly emit: (diagnostic: Diagnostic) => void) {}

  /** The file's shape so far (the expected shape of the next line). */
  get fileShape(): LineShape | undefined {
    return this.shape;
  }

  /**
   * Sizes the state for a file of about `lines` lines up front (the CLI can estimate it from
   * the file size), which avoids step-by-step growth: its copies, and the freed arrays that the
   * allocator may keep resident. The keys per line depend on the shape, so the sizing waits for
   * the first line that shows one. A wrong guess only costs memory or a later growth.
   */
  reserve(lines: number): void {
    this.reservedLines = lines;
    if (this.shape !== undefined) this.applyReserve(this.shape);
  }

  private applyReserve(shape: LineShape): void {
    const lines = this.reservedLines;
    this.reservedLines = 0;
    if (lines > 0) this.table.reserve(Math.ceil(lines * KEYS_PER_LINE[shape]), lines);
  }

  /** Bytes held by the per-line state. */
  get byteLength(): number {
    return this.table.byteLength + this.conversations.byteLength + this.idColumns.byteLength;
  }

  /**
   * BRL004. The reader strips the mark, so it occupies no column of the text the engine sees:
   * the range is the empty range at the start of line 1, where the mark was.
   */
  byteOrderMark(): void {
    this.emit(byteOrderMarkDiagnostic());
  }

  /** Checks line `line` (0-based) of text `text`, whose facts are `facts`. */
  check(facts: LineFacts, line: number, text: string): void {
    this.lastRecord = -1;
    if (facts.kind === 'blank') {
      if (this.blankStart < 0) this.blankStart = line;
      this.blankLengths.push(text.length);
      return;
    }
    this.endBlankRun();
    if (facts.kind === 'meta') {
      this.checkMeta(facts, line, text);
      return;
    }
    if (facts.kind !== 'data') return;
    this.pairLines += facts.pairs;
    this.checkShape(facts, line, text);
    if (facts.id !== undefined) this.checkId(facts.id, line);
    if (facts.conversationId !== undefined)
      this.checkConversation(facts, facts.conversationId, line);
    if (facts.samples.length > 0) this.checkSample(facts, line);
  }

  /**
   * Checks a v4 pair line the byte-level fast path accepted (a valid data line of the file's
   * shape, which is already brightrun_lora_v4): the same rules as `check`, from fingerprints.
   */
  checkCompact(facts: CompactV4Facts, line: number): void {
    this.endBlankRun();
    this.pairLines++;
    stringKeyOf(KeyKind.Id, facts.idHi, facts.idLo);
    this.checkIdKey(facts.idStart, facts.idEnd, line, facts.idText);
    stringKeyOf(KeyKind.Conversation, facts.conversationHi, facts.conversationLo);
    const record = this.conversationRecord(line);
    // The checker's cache of the last context text no longer matches the hash used here.
    this.lastContext = '';
    this.lastContextHash = facts.contextHash;
    this.checkContext(record, facts.contextStart, facts.contextEnd, facts.conversationIdText, line);
    this.checkTurn(
      record,
      facts.turn,
      facts.turnStart,
      facts.turnEnd,
      facts.conversationIdText,
      line,
    );
    keyFingerprint.hi = facts.sampleHi;
    keyFingerprint.lo = facts.sampleLo;
    this.checkSampleKey(facts.start, facts.end, line);
  }

  /**
   * The conversation record (a number from 0 up, one per distinct conversation_id) of the line
   * checked last, or -1 when it has no conversation_id: the statistics reuse it.
   */
  get lastConversationRecord(): number {
    return this.lastRecord;
  }

  /** Document-level rules, once every line has been checked. */
  finish(trainingPairs: number): void {
    this.flushBlankLines('trailing');
    const total = this.totalPairs;
    if (total !== undefined && total.value !== this.pairLines) {
      this.emit(totalPairsDiagnostic(total, this.pairLines));
    }
    if (trainingPairs < MIN_TRAINING_PAIRS) {
      this.emit(fewPairsDiagnostic(trainingPairs, MIN_TRAINING_PAIRS));
    }
  }

  /** Reports the blank lines before a non-blank line (also done by `check`; idempotent). */
  endBlankRun(): void {
    this.flushBlankLines('between');
  }

  private flushBlankLines(where: 'between' | 'trailing'): void {
    if (this.blankStart < 0) return;
    for (let i = 0; i < this.blankLengths.length; i++) {
      this.emit(
        blankLineDiagnostic(this.blankStart + i, this.blankLengths[i], where === 'trailing'),
      );
    }
    this.blankStart = -1;
    this.blankLengths = [];
  }

  private checkMeta(facts: LineFacts, line: number, text: string): void {
    if (line === 0) {
      this.totalPairs = facts.meta?.totalPairs;
      return;
    }
    const key = metaKeyRange(text) ?? facts;
    this.emit(misplacedMetaDiagnostic(line, key));
  }

  private checkShape(facts: LineFacts, line: number, text: string): void {
    if (!facts.shapeDetected || facts.shape === undefined) return;
    if (this.shape === undefined) {
      this.shape = facts.shape;
      this.shapeLine = line;
      this.applyReserve(facts.shape);
      return;
    }
    if (facts.shape === this.shape) return;
    const key = shapeKeyRange(text, facts.shape) ?? facts;
    this.emit(shapeMismatchDiagnostic(line, key, facts.shape, this.shape, this.shapeLine));
  }

  private checkId(id: LocatedString, line: number): void {
    stringKey(KeyKind.Id, id.value);
    this.checkIdKey(id.start, id.end, line, id.value);
  }

  /** BRL030 for the id whose key is in `keyFingerprint`. */
  private checkIdKey(start: number, end: number, line: number, value: Text): void {
    this.idColumns.record(line, start);
    const first = this.table.getOrSet(keyFingerprint.hi, keyFingerprint.lo, line);
    if (first < 0) return;
    const firstStart = this.idColumns.columnAt(first);
    this.emit(duplicateIdDiagnostic(line, { value: textOf(value), start, end }, first, firstStart));
  }

  /** Visits the conversation whose key is in `keyFingerprint`; returns its record. */
  private conversationRecord(line: number): number {
    const conversation = this.conversation;
    conversation.hi = keyFingerprint.hi;
    conversation.lo = keyFingerprint.lo;
    this.lastRecord = this.conversations.visit(conversation, line);
    return this.lastRecord;
  }

  private checkConversation(facts: LineFacts, conversationId: LocatedString, line: number): void {
    stringKey(KeyKind.Conversation, conversationId.value);
    const record = this.conversationRecord(line);
    const context = facts.conversationContext;
    if (context !== undefined) {
      if (context.value !== this.lastContext) {
        // The low half of contentFingerprint: what the byte-level fast path computes too.
        contentFingerprint(context.value);
        this.lastContext = context.value;
        this.lastContextHash = lastFingerprint.lo;
      }
      this.checkContext(record, context.start, context.end, conversationId.value, line);
    }
    const turn = facts.turnNumber;
    if (turn !== undefined && Number.isInteger(turn.value) && turn.value >= 0) {
      if (turn.value > 0xffffffff) return;
      this.checkTurn(record, turn.value, turn.start, turn.end, conversationId.value, line);
    }
  }

  /** BRL035 for the context whose hash is `lastContextHash`. */
  private checkContext(
    record: number,
    start: number,
    end: number,
    conversationId: Text,
    line: number,
  ): void {
    if (!this.conversations.contextDiffers(record, this.lastContextHash)) return;
    const first = this.conversations.firstLine(record);
    this.emit(conversationContextDiagnostic(line, { start, end }, textOf(conversationId), first));
  }

  /** BRL036 for turn `turn` (an integer in [0, 2^32)) of `record`. */
  private checkTurn(
    record: number,
    turn: number,
    start: number,
    end: number,
    conversationId: Text,
    line: number,
  ): void {
    const first = this.conversations.noteTurn(record, this.conversation, turn, line);
    if (first < 0) return;
    this.emit(
      duplicateTurnDiagnostic(line, { value: turn, start, end }, textOf(conversationId), first),
    );
  }

  private checkSample(facts: LineFacts, line: number): void {
    this.sampleKeys.key(facts.samples);
    this.checkSampleKey(facts.start, facts.end, line);
  }

  /** BRL037 for the sample whose key is in `keyFingerprint`. */
  private checkSampleKey(start: number, end: number, line: number): void {
    const first = this.table.getOrSet(keyFingerprint.hi, keyFingerprint.lo, line);
    if (first < 0) return;
    this.emit(duplicateSampleDiagnostic(line, start, end, first));
  }
}

/** A string a message may quote: given, or decoded only when a message needs it. */
type Text = string | (() => string);

function textOf(text: Text): string {
  return typeof text === 'string' ? text : text();
}
