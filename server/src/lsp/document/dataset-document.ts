import type { LineFacts } from '../../../../common/engine/line-facts.ts';
import type { LineShape } from '../../../../common/engine/shape.ts';
import type { IndexedLine } from '../../documents/cross-line-index.ts';
import { CrossLineIndex } from '../../documents/cross-line-index.ts';
import type { EditRange, LineSplice } from '../../documents/line-store.ts';
import { LineStore } from '../../documents/line-store.ts';
import { LineAnalyzer } from './line-analyzer.ts';
import type { StoredFacts } from './stored-facts.ts';

/** One LSP content change: a range edit, or the whole text. */
export type ContentChange = { range: EditRange; text: string } | { text: string };

/**
 * A line of the document with what the server derived from it. All fields exist from the
 * start (one object shape for every line keeps the hot loops fast).
 */
export class DocumentLine implements IndexedLine {
  idKey: string | undefined = undefined;
  conversationKey: string | undefined = undefined;
  turn = -1;
  sampleKey = -1;
  /** Token counts of the line's samples once the background count has reached it. */
  tokens: number[] | undefined = undefined;
  /** Cached LSP form of the line-local diagnostics (see diagnostics/collect.ts). */
  published: unknown = undefined;

  constructor(
    public index: number,
    readonly facts: StoredFacts,
  ) {}
}

/** Lines of a splice above which the entry array is rebuilt rather than spliced in place. */
const SPREAD_LIMIT = 4096;

/**
 * An open dataset: its lines, the line-local facts of every line, and the cross-line index.
 *
 * Facts are computed with ranges on line 0 and placed on their real line only when published,
 * so inserting a line above never forces re-analysis of the lines below it. A change replaces
 * the entries of the lines it touches and nothing else; line numbers of later entries move
 * (and `layout` changes) only when the number of lines changes. `flagged` lists, in line order,
 * the lines with line-local diagnostics, so publishing walks those rather than every line.
 */
export class DatasetDocument {
  private readonly store: LineStore;
  private entries: DocumentLine[];
  private flaggedLines: DocumentLine[] = [];
  private shape: LineShape | undefined;
  private shapeEntry: DocumentLine | undefined;
  readonly crossLine = new CrossLineIndex();
  private readonly analyzer: LineAnalyzer;
  /** Changes whenever line numbers move. */
  layout = 0;
  /**
   * Line-local diagnostics in the document by `code:severity` (the severity before overrides),
   * kept up to date with `flagged`, so a publish knows every count without a walk.
   */
  readonly localCounts = new Map<string, number>();
  /** Lines whose counted tokens exceed the max sequence length (BRL040); kept by TokenService. */
  readonly longLines = new Set<DocumentLine>();
  /** Listeners told about every splice of the lines (helpers keeping per-line state follow it). */
  private readonly spliceListeners: ((
    splice: LineSplice,
    removed: LineFacts[],
    inserted: LineFacts[],
  ) => void)[] = [];

  constructor(
    readonly uri: string,
    public version: number,
    text: string | { lines: string[]; eol: '\n' | '\r\n' },
    options: { fastPath?: boolean } = {},
  ) {
    this.store = new LineStore(text);
    this.shape = undefined;
    this.analyzer = new LineAnalyzer(this.crossLine, options.fastPath ?? true);
    this.entries = this.analyzeAll();
  }

  get lineCount(): number {
    return this.store.lineCount;
  }

  /** The file's shape: that of its first line whose keys declare one. */
  get fileShape(): LineShape | undefined {
    return this.shape;
  }

  /** The first line whose keys declare a shape (BRL055 points at it). */
  get shapeLine(): DocumentLine | undefined {
    return this.shapeEntry;
  }

  line(index: number): string {
    return this.store.line(index);
  }

  lineFacts(index: number): LineFacts {
    return this.entries[index].facts;
  }

  /** Every line's entry, in order; callers must not mutate the array. */
  lines(): readonly DocumentLine[] {
    return this.entries;
  }

  /** The lines with line-local diagnostics, in line order; callers must not mutate the array. */
  flagged(): readonly DocumentLine[] {
    return this.flaggedLines;
  }

  allFacts(): readonly LineFacts[] {
    return this.entries.map((e) => e.facts);
  }

  getText(): string {
    return this.store.getText();
  }

  onSplice(listener: (splice: LineSplice, removed: LineFacts[], inserted: LineFacts[]) => void) {
    this.spliceListeners.push(listener);
  }

  /** Applies the changes of one `didChange`, in order, and re-analyses the touched lines. */
  applyChanges(changes: readonly ContentChange[], version: number): void {
    for (const change of changes) {
      const splice =
        'range' in change
          ? this.store.applyEdit(change.range, change.text)
          : this.store.replaceAll(change.text);
      this.replaceLines(splice);
    }
    this.version = version;
    this.refreshShape();
  }

  private replaceLines(splice: LineSplice): void {
    const { start } = splice;
    const inserted = new Array<DocumentLine>(splice.inserted);
    const sampleKeys = new Array<number>(splice.inserted);
    const analyzer = this.analyzer;
    for (let i = 0; i < splice.inserted; i++) {
      const facts = analyzer.analyze(this.store.line(start + i), this.shape);
      inserted[i] = new DocumentLine(start + i, facts);
      sampleKeys[i] = analyzer.sampleKey;
    }
    let removed: DocumentLine[];
    if (splice.removed === 1 && splice.inserted === 1) {
      removed = [this.entries[start]];
      this.entries[start] = inserted[0];
    } else {
      removed = this.entries.slice(start, start + splice.removed);
      this.entries = spliced(this.entries, start, splice.removed, inserted);
    }
    this.updateFlagged(start, splice.removed, inserted);
    if (splice.removed !== splice.inserted) {
      for (let i = start + splice.inserted; i < this.entries.length; i++) this.entries[i].index = i;
      this.layout++;
    }
    for (const entry of removed) {
      this.crossLine.remove(entry);
      if (entry.tokens !== undefined) this.longLines.delete(entry);
    }
    for (let i = 0; i < inserted.length; i++) this.crossLine.add(inserted[i], sampleKeys[i]);
    this.notify(splice, removed, inserted);
  }

  /** Keeps `flaggedLines` in line order; runs before later lines are renumbered. */
  private updateFlagged(start: number, removed: number, inserted: DocumentLine[]): void {
    const list = this.flaggedLines;
    const from = lowerBound(list, start);
    const to = lowerBound(list, start + removed);
    const added = inserted.filter((e) => e.facts.diagnostics.length > 0);
    for (let i = from; i < to; i++) this.count(list[i], -1);
    for (const entry of added) this.count(entry, 1);
    if (to - from === 1 && added.length === 1) list[from] = added[0];
    else if (to > from || added.length > 0)
      this.flaggedLines = spliced(list, from, to - from, added);
  }

  private count(entry: DocumentLine, delta: number): void {
    for (const d of entry.facts.diagnostics) {
      const key = `${d.code}:${d.severity}`;
      this.localCounts.set(key, (this.localCounts.get(key) ?? 0) + delta);
    }
  }

  /**
   * Analyses every line and indexes it at once, while its facts are fresh in the cache. Lines
   * before the first that declares a shape wait: data lines among them were analysed without
   * knowing it, and are analysed again with it once it is known.
   */
  private analyzeAll(): DocumentLine[] {
    const count = this.store.lineCount;
    const entries = new Array<DocumentLine>(count);
    const waiting: number[] = [];
    const analyzer = this.analyzer;
    for (let i = 0; i < count; i++) {
      const facts = analyzer.analyze(this.store.line(i), this.shape);
      const sampleKey = analyzer.sampleKey;
      const entry = new DocumentLine(i, facts);
      entries[i] = entry;
      if (this.shape !== undefined) {
        this.index(entry, sampleKey);
        continue;
      }
      if (!facts.shapeDetected) {
        waiting.push(sampleKey);
        continue;
      }
      this.shape = facts.shape;
      this.shapeEntry = entry;
      this.crossLine.setFileShape(this.shape, []);
      for (let j = 0; j < i; j++) {
        let key = waiting[j];
        if (entries[j].facts.kind === 'data' && entries[j].facts.shape !== this.shape) {
          entries[j] = new DocumentLine(j, analyzer.analyze(this.store.line(j), this.shape));
          key = analyzer.sampleKey;
        }
        this.index(entries[j], key);
      }
      this.index(entry, sampleKey);
    }
    // No line declares a shape: every line keeps the facts it got.
    if (this.shape === undefined) {
      for (let j = 0; j < count; j++) this.index(entries[j], waiting[j]);
    }
    return entries;
  }

  private index(entry: DocumentLine, sampleKey: number): void {
    this.crossLine.add(entry, sampleKey);
    if (entry.facts.diagnostics.length > 0) {
      this.flaggedLines.push(entry);
      this.count(entry, 1);
    }
  }

  /**
   * Lines without shape markers are analysed as the file's shape; when the first declaring
   * line changes its shape (rare), those lines are analysed again.
   */
  private refreshShape(): void {
    let first: DocumentLine | undefined;
    for (const entry of this.entries) {
      if (entry.facts.shapeDetected) {
        first = entry;
        break;
      }
    }
    this.shapeEntry = first;
    const shape = first?.facts.shape;
    this.crossLine.setFileShape(shape, this.entries);
    if (shape === this.shape) return;
    this.shape = shape;
    for (let i = 0; i < this.entries.length; i++) {
      const facts = this.entries[i].facts;
      if (facts.kind !== 'data' || facts.shapeDetected || facts.shape === this.shape) continue;
      this.replaceLines({ start: i, removed: 1, inserted: 1 });
    }
  }

  private notify(splice: LineSplice, removed: DocumentLine[], inserted: DocumentLine[]): void {
    if (this.spliceListeners.length === 0) return;
    const before = removed.map((e) => e.facts);
    const after = inserted.map((e) => e.facts);
    for (const listener of this.spliceListeners) listener(splice, before, after);
  }
}

/** The first position in `list` (sorted by index) whose line is at or after `index`. */
function lowerBound(list: readonly DocumentLine[], index: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid].index < index) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** `list` with `count` items at `start` replaced by `items` (in place when that is cheap). */
function spliced<T>(list: T[], start: number, count: number, items: T[]): T[] {
  if (count === list.length && start === 0) return items;
  if (items.length < SPREAD_LIMIT) {
    list.splice(start, count, ...items);
    return list;
  }
  // Spreading a large paste into splice() would overflow the call stack.
  return list.slice(0, start).concat(items, list.slice(start + count));
}
