import {
  blankLineDiagnostic,
  conversationContextDiagnostic,
  duplicateIdDiagnostic,
  duplicateSampleDiagnostic,
  duplicateTurnDiagnostic,
  fewPairsDiagnostic,
  misplacedMetaDiagnostic,
  shapeMismatchDiagnostic,
  totalPairsDiagnostic,
} from '../../../common/engine/dataset/cross-line-diagnostics.ts';
import { MIN_TRAINING_PAIRS } from '../../../common/engine/dataset/cross-line-checker.ts';
import { keyFingerprint, SampleKeys } from '../../../common/engine/dataset/key-fingerprints.ts';
import { metaKeyRange, shapeKeyRange } from '../../../common/engine/dataset/marker-keys.ts';
import type { Diagnostic } from '../../../common/engine/diagnostic.ts';
import type { LineFacts } from '../../../common/engine/line-facts.ts';
import type { SeverityOverrides } from '../../../common/engine/rule-codes.ts';
import type { LineShape, Sample } from '../../../common/engine/shape.ts';

/**
 * One line of an open document as the cross-line index sees it. The document keeps `index`
 * equal to the line's current position; an entry is replaced (never mutated otherwise) when its
 * line changes, so anything cached on it stays valid for as long as the entry lives.
 */
/**
 * A line's facts with the keys the index reads as plain values (StoredFacts keeps them so;
 * reading `id` and the like would build a located value each time).
 */
export interface IndexedFacts extends LineFacts {
  readonly idValue: string | undefined;
  readonly conversationValue: string | undefined;
  readonly turnValue: number | undefined;
  /**
   * A 32-bit hash of the conversation context (what BRL035 compares): the low half of the
   * `contentFingerprint` of its canonical text, as the CLI's checker and the fast path hash it.
   */
  readonly contextValue: number | undefined;
}

export interface IndexedLine {
  index: number;
  facts: IndexedFacts;
  /** Keys of the groups the line joined (set by the index). */
  idKey: string | undefined;
  conversationKey: string | undefined;
  turn: number;
  /** A 53-bit fingerprint of the line's rendered samples (BRL037), or -1. */
  sampleKey: number;
}

/** One cross-line finding: the line it is on and the diagnostic (real line numbers). */
export interface Finding {
  entry: IndexedLine;
  diagnostic: Diagnostic;
  /** Scratch space for the host: e.g. the diagnostic converted for publishing. */
  converted: unknown;
}

/** Findings of one source, valid while its lines and their positions are unchanged. */
interface Cached {
  layout: number;
  findings: Finding[];
}

/** Lines sharing one key (an id, a conversation turn, a sample); duplicates when ≥ 2. */
class Group {
  members: IndexedLine[] = [];
  cache: Cached | undefined = undefined;
  constructor(readonly rule: 'id' | 'turn' | 'sample') {}
}

/** A key's line while it has only one (no group is made for it), or the group of its lines. */
type Slot = IndexedLine | Group;

/** The lines of one conversation, its turns, and how many lines carry each context (BRL035). */
class Conversation {
  readonly members: IndexedLine[] = [];
  readonly contexts = new Map<number, number>();
  readonly turns = new Map<number, Slot>();
  cache: Cached | undefined = undefined;
  constructor(readonly id: string) {}
}

export interface CrossLineResult {
  /** Cross-line findings (severities are the rules' defaults). */
  findings: Finding[];
  /** Training pairs on valid lines that no cross-line error took out (statistics §4). */
  trainingPairs: number;
  /** Pair lines in the file (what `_meta.total_pairs` should say). */
  pairLines: number;
}

/**
 * The state of the cross-line rules (BRL003, BRL010, BRL011, BRL030, BRL035, BRL036, BRL037,
 * BRL041, BRL055) for a document that changes line by line. CrossLineChecker reads a file once,
 * in order, in a few bytes per line; an editor needs the opposite trade: lines come and go
 * anywhere, so each key keeps the lines that use it, and a change costs leaving and joining a
 * few groups. Findings come only from the groups that conflict (usually few), each cached until
 * its lines change or move, with the messages of cross-line-diagnostics.ts so that the editor
 * and the CLI say the same thing.
 */
export class CrossLineIndex {
  private readonly ids = new Map<string, Slot>();
  private readonly samples = new Map<number, Slot>();
  /** Groups with two lines or more. */
  private readonly duplicates = new Set<Group>();
  private readonly conversations = new Map<string, Conversation>();
  /** Conversations whose lines carry more than one context. */
  private readonly inconsistent = new Set<Conversation>();
  private readonly blanks = new Set<IndexedLine>();
  private readonly metas = new Set<IndexedLine>();
  /** The file's shape (see setFileShape), and the lines whose own keys say another (BRL055). */
  private fileShape: LineShape | undefined;
  private readonly misshapen = new Set<IndexedLine>();
  private readonly sampleKeys = new SampleKeys();
  private pairLines = 0;
  private validPairs = 0;
  /** Bumped whenever a conflicting group or conversation gains, loses or changes a line. */
  private revision = 0;
  /** The conflicts' findings and the pairs they take out, for one revision and layout. */
  private conflicts:
    | {
        revision: number;
        layout: number;
        overrides: SeverityOverrides;
        findings: Finding[];
        dropped: Set<IndexedLine>;
        droppedPairs: number;
      }
    | undefined;

  /**
   * The key BRL037 compares for a line whose rendered samples are `samples` (-1 for none); see
   * `sampleKeyOf` for a line whose key the fast path computed.
   */
  sampleKey(samples: readonly Sample[]): number {
    if (samples.length === 0) return -1;
    this.sampleKeys.key(samples);
    return sampleKeyOf(keyFingerprint.hi, keyFingerprint.lo);
  }

  /** Joins the groups of a new line; `sampleKey` is its samples' key (for BRL037), or -1. */
  add(entry: IndexedLine, sampleKey: number): void {
    const f = entry.facts;
    if (f.kind === 'blank') {
      this.blanks.add(entry);
      return;
    }
    if (f.kind === 'meta') {
      this.metas.add(entry);
      return;
    }
    if (f.kind !== 'data') return;
    this.pairLines += f.pairs;
    if (f.valid) this.validPairs += f.pairs;
    if (f.shapeDetected && f.shape !== undefined && f.shape !== this.fileShape) {
      this.misshapen.add(entry);
    }
    if (f.idValue !== undefined) {
      entry.idKey = f.idValue;
      this.join(this.ids, 'id', f.idValue, entry);
    }
    if (f.conversationValue !== undefined) {
      const id = f.conversationValue;
      entry.conversationKey = id;
      let conversation = this.conversations.get(id);
      if (conversation === undefined) {
        conversation = new Conversation(id);
        this.conversations.set(id, conversation);
      }
      conversation.members.push(entry);
      conversation.cache = undefined;
      const context = f.contextValue;
      if (context !== undefined) {
        conversation.contexts.set(context, (conversation.contexts.get(context) ?? 0) + 1);
        if (conversation.contexts.size > 1) {
          this.inconsistent.add(conversation);
          this.revision++;
        }
      }
      const turn = f.turnValue;
      if (turn !== undefined && Number.isInteger(turn) && turn >= 0 && turn <= 0xffffffff) {
        entry.turn = turn;
        this.join(conversation.turns, 'turn', turn, entry);
      }
    }
    if (sampleKey >= 0) {
      entry.sampleKey = sampleKey;
      this.join(this.samples, 'sample', sampleKey, entry);
    }
  }

  remove(entry: IndexedLine): void {
    const f = entry.facts;
    if (f.kind === 'blank') {
      this.blanks.delete(entry);
      return;
    }
    if (f.kind === 'meta') {
      this.metas.delete(entry);
      return;
    }
    if (f.kind !== 'data') return;
    this.pairLines -= f.pairs;
    if (f.valid) this.validPairs -= f.pairs;
    this.misshapen.delete(entry);
    if (entry.idKey !== undefined) this.leave(this.ids, entry.idKey, entry);
    if (entry.sampleKey >= 0) this.leave(this.samples, entry.sampleKey, entry);
    if (entry.conversationKey !== undefined) {
      const conversation = this.conversations.get(entry.conversationKey);
      if (conversation !== undefined) {
        removeFrom(conversation.members, entry);
        conversation.cache = undefined;
        if (this.inconsistent.has(conversation)) this.revision++;
        if (entry.turn >= 0) this.leave(conversation.turns, entry.turn, entry);
        const context = f.contextValue;
        if (context !== undefined) {
          const n = (conversation.contexts.get(context) ?? 0) - 1;
          if (n > 0) conversation.contexts.set(context, n);
          else conversation.contexts.delete(context);
          if (conversation.contexts.size <= 1) this.inconsistent.delete(conversation);
        }
        if (conversation.members.length === 0) {
          this.conversations.delete(entry.conversationKey);
          this.inconsistent.delete(conversation);
        }
      }
    }
  }

  /**
   * Sets the file's shape (that of its first line whose keys declare one). When it changes, the
   * lines are scanned again for those of another shape (rare: the first such line changed).
   */
  setFileShape(shape: LineShape | undefined, lines: readonly IndexedLine[]): void {
    if (shape === this.fileShape) return;
    this.fileShape = shape;
    this.misshapen.clear();
    for (const entry of lines) {
      const f = entry.facts;
      if (f.kind === 'data' && f.shapeDetected && f.shape !== undefined && f.shape !== shape) {
        this.misshapen.add(entry);
      }
    }
  }

  /**
   * The cross-line findings for the document's current lines. `lines` are all its entries,
   * `layout` changes whenever lines move (so cached findings, whose messages quote line
   * numbers, are rebuilt), `shapeLine` is the first line whose keys declare a shape, and `text`
   * gives a line's text (BRL010 and BRL055 underline a key found by parsing it again). Cost: the
   * conflicting groups (cached), the blank and header lines, and a walk back from the end to the
   * last non-blank line — not the whole document.
   */
  results(
    lines: readonly IndexedLine[],
    layout: number,
    shapeLine: IndexedLine | undefined,
    text: (index: number) => string,
    overrides: SeverityOverrides,
  ): CrossLineResult {
    const findings: Finding[] = [];
    const add = (entry: IndexedLine, diagnostic: Diagnostic) =>
      findings.push({ entry, diagnostic, converted: undefined });

    this.blankLines(lines, add);
    for (const meta of this.metas) {
      if (meta.index === 0) continue;
      const key = metaKeyRange(text(meta.index)) ?? meta.facts;
      add(meta, misplacedMetaDiagnostic(meta.index, key));
    }
    const misshapen = this.shapes(shapeLine, text, add, overrides);
    const conflicts = this.conflictFindings(layout, overrides);
    for (const finding of conflicts.findings) findings.push(finding);
    let droppedPairs = conflicts.droppedPairs;
    for (const entry of misshapen) {
      if (!conflicts.dropped.has(entry)) droppedPairs += entry.facts.pairs;
    }
    const trainingPairs = this.validPairs - droppedPairs;

    const head = lines[0];
    const total = head?.facts.kind === 'meta' ? head.facts.meta?.totalPairs : undefined;
    if (total !== undefined && total.value !== this.pairLines) {
      add(head, totalPairsDiagnostic(total, this.pairLines));
    }
    if (trainingPairs < MIN_TRAINING_PAIRS && head !== undefined) {
      add(head, fewPairsDiagnostic(trainingPairs, MIN_TRAINING_PAIRS));
    }
    return { findings, trainingPairs, pairLines: this.pairLines };
  }

  /**
   * Findings of the duplicate groups and inconsistent conversations, and the training pairs of
   * the valid lines their errors take out; kept while no conflict and no line position changed,
   * so an edit elsewhere costs nothing here.
   */
  private conflictFindings(
    layout: number,
    overrides: SeverityOverrides,
  ): { findings: Finding[]; dropped: Set<IndexedLine>; droppedPairs: number } {
    const cached = this.conflicts;
    if (
      cached !== undefined &&
      cached.revision === this.revision &&
      cached.layout === layout &&
      cached.overrides === overrides
    ) {
      return cached;
    }
    const findings: Finding[] = [];
    for (const group of this.duplicates) {
      if (group.cache?.layout !== layout) group.cache = { layout, findings: duplicates(group) };
      for (const finding of group.cache.findings) findings.push(finding);
    }
    for (const conversation of this.inconsistent) {
      if (conversation.cache?.layout !== layout) {
        conversation.cache = { layout, findings: contextConflicts(conversation) };
      }
      for (const finding of conversation.cache.findings) findings.push(finding);
    }
    const dropped = new Set<IndexedLine>();
    for (const { entry, diagnostic } of findings) {
      if (!entry.facts.valid || entry.facts.kind !== 'data') continue;
      if ((overrides[diagnostic.code] ?? diagnostic.severity) !== 'error') continue;
      dropped.add(entry);
    }
    let droppedPairs = 0;
    for (const entry of dropped) droppedPairs += entry.facts.pairs;
    this.conflicts = {
      revision: this.revision,
      layout,
      overrides,
      findings,
      dropped,
      droppedPairs,
    };
    return this.conflicts;
  }

  /** BRL003. The last line, when empty, is what the file's final newline leaves: not a line. */
  private blankLines(
    lines: readonly IndexedLine[],
    add: (entry: IndexedLine, d: Diagnostic) => void,
  ): void {
    if (this.blanks.size === 0) return;
    let end = lines.length;
    const last = lines[end - 1];
    if (last !== undefined && last.facts.kind === 'blank' && last.facts.end === 0) end--;
    let lastNonBlank = end - 1;
    while (lastNonBlank >= 0 && lines[lastNonBlank].facts.kind === 'blank') lastNonBlank--;
    const found: IndexedLine[] = [];
    for (const blank of this.blanks) if (blank.index < end) found.push(blank);
    found.sort((a, b) => a.index - b.index);
    for (const blank of found) {
      add(blank, blankLineDiagnostic(blank.index, blank.facts.end, blank.index > lastNonBlank));
    }
  }

  /**
   * BRL055: lines whose own shape is not the file's (that of `shapeLine`). Returns the valid
   * lines its error takes out of the statistics.
   */
  private shapes(
    shapeLine: IndexedLine | undefined,
    text: (index: number) => string,
    add: (entry: IndexedLine, d: Diagnostic) => void,
    overrides: SeverityOverrides,
  ): IndexedLine[] {
    const dropped: IndexedLine[] = [];
    const fileShape = shapeLine?.facts.shape;
    if (shapeLine === undefined || fileShape === undefined) return dropped;
    for (const entry of this.misshapen) {
      const shape = entry.facts.shape!;
      const key = shapeKeyRange(text(entry.index), shape) ?? entry.facts;
      const d = shapeMismatchDiagnostic(entry.index, key, shape, fileShape, shapeLine.index);
      add(entry, d);
      const severity = overrides[d.code] ?? d.severity;
      if (severity === 'error' && entry.facts.valid) dropped.push(entry);
    }
    return dropped;
  }

  private join<K>(groups: Map<K, Slot>, rule: Group['rule'], key: K, entry: IndexedLine): void {
    const slot = groups.get(key);
    if (slot === undefined) {
      groups.set(key, entry);
      return;
    }
    let group: Group;
    if (slot instanceof Group) {
      group = slot;
    } else {
      group = new Group(rule);
      group.members.push(slot);
      groups.set(key, group);
    }
    group.members.push(entry);
    group.cache = undefined;
    if (group.members.length === 2) this.duplicates.add(group);
    if (group.members.length >= 2) this.revision++;
  }

  private leave<K>(groups: Map<K, Slot>, key: K, entry: IndexedLine): void {
    const group = groups.get(key);
    if (group === undefined) return;
    if (!(group instanceof Group)) {
      if (group === entry) groups.delete(key);
      return;
    }
    const list = group.members;
    removeFrom(list, entry);
    group.cache = undefined;
    if (list.length >= 1) this.revision++;
    if (list.length < 2) this.duplicates.delete(group);
    if (list.length === 0) groups.delete(key);
  }
}

function duplicates(group: Group): Finding[] {
  const members = [...group.members].sort((a, b) => a.index - b.index);
  const first = members[0];
  const findings: Finding[] = [];
  for (let i = 1; i < members.length; i++) {
    const entry = members[i];
    const f = entry.facts;
    let diagnostic: Diagnostic;
    if (group.rule === 'id') {
      diagnostic = duplicateIdDiagnostic(entry.index, f.id!, first.index, first.facts.id!.start);
    } else if (group.rule === 'turn') {
      const conversation = f.conversationId!.value;
      diagnostic = duplicateTurnDiagnostic(entry.index, f.turnNumber!, conversation, first.index);
    } else {
      diagnostic = duplicateSampleDiagnostic(entry.index, f.start, f.end, first.index);
    }
    findings.push({ entry, diagnostic, converted: undefined });
  }
  return findings;
}

/** BRL035: the first context written in a conversation is the reference. */
function contextConflicts(conversation: Conversation): Finding[] {
  const members = [...conversation.members].sort((a, b) => a.index - b.index);
  const firstLine = members[0].index;
  const findings: Finding[] = [];
  let reference: number | undefined;
  for (const entry of members) {
    const context = entry.facts.contextValue;
    if (context === undefined) continue;
    if (reference === undefined) {
      reference = context;
      continue;
    }
    if (context === reference) continue;
    const diagnostic = conversationContextDiagnostic(
      entry.index,
      entry.facts.conversationContext!,
      conversation.id,
      firstLine,
    );
    findings.push({ entry, diagnostic, converted: undefined });
  }
  return findings;
}

function removeFrom(list: IndexedLine[], entry: IndexedLine): void {
  const i = list.lastIndexOf(entry);
  if (i < 0) return;
  list[i] = list[list.length - 1];
  list.pop();
}

/**
 * The BRL037 key of samples whose 64-bit key (KeyKind.Sample) is (hi, lo): 53 of the 64 bits,
 * so a number key costs no string; a false duplicate among a million lines would take odds of
 * about 1 in 10^4 (the engine's full 64 bits: 1 in 10^7).
 */
export function sampleKeyOf(hi: number, lo: number): number {
  return hi * 0x200000 + (lo >>> 11);
}
