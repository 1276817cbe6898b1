import { analyzeLine } from '../../../../common/engine/line/analyze-line.ts';
import type { LineFacts } from '../../../../common/engine/line-facts.ts';
import type { LineShape } from '../../../../common/engine/shape.ts';
import type { EditRange, LineSplice } from '../../documents/line-store.ts';
import { LineStore } from '../../documents/line-store.ts';

/** One LSP content change: a range edit, or the whole text. */
export type ContentChange = { range: EditRange; text: string } | { text: string };

/**
 * An open dataset: its lines, and the line-local facts of every line.
 *
 * Facts are computed with ranges on line 0 and placed on their real line only when published,
 * so inserting a line above never forces re-analysis of the lines below it.
 */
export class DatasetDocument {
  private readonly store: LineStore;
  private facts: LineFacts[];
  private shape: LineShape | undefined;
  /** Listeners told about every splice of the facts array (the cross-line index follows them). */
  private readonly spliceListeners: ((
    splice: LineSplice,
    removed: LineFacts[],
    inserted: LineFacts[],
  ) => void)[] = [];

  constructor(
    readonly uri: string,
    public version: number,
    text: string,
  ) {
    this.store = new LineStore(text);
    this.shape = undefined;
    this.facts = this.analyzeAll();
  }

  get lineCount(): number {
    return this.store.lineCount;
  }

  /** The file's shape: that of its first line whose keys declare one. */
  get fileShape(): LineShape | undefined {
    return this.shape;
  }

  line(index: number): string {
    return this.store.line(index);
  }

  lineFacts(index: number): LineFacts {
    return this.facts[index];
  }

  allFacts(): readonly LineFacts[] {
    return this.facts;
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
      const inserted: LineFacts[] = new Array<LineFacts>(splice.inserted);
      for (let i = 0; i < splice.inserted; i++) inserted[i] = this.analyze(splice.start + i);
      const removed =
        splice.removed === 1 && splice.inserted === 1
          ? [this.facts[splice.start]]
          : this.facts.slice(splice.start, splice.start + splice.removed);
      if (splice.removed === 1 && splice.inserted === 1) this.facts[splice.start] = inserted[0];
      else this.facts.splice(splice.start, splice.removed, ...inserted);
      this.notify(splice, removed, inserted);
    }
    this.version = version;
    this.refreshShape();
  }

  private analyze(index: number): LineFacts {
    return analyzeLine(this.store.line(index), 0, { expectedShape: this.shape });
  }

  private analyzeAll(): LineFacts[] {
    const facts = new Array<LineFacts>(this.store.lineCount);
    for (let i = 0; i < facts.length; i++) {
      facts[i] = this.analyze(i);
      if (this.shape === undefined && facts[i].shapeDetected) this.shape = facts[i].shape;
    }
    // Lines above the first declared shape were analysed before it was known.
    if (this.shape !== undefined) this.reanalyzeUndeclared(facts);
    return facts;
  }

  /**
   * Lines without shape markers are analysed as the file's shape; when the first declaring
   * line changes its shape (rare), those lines are analysed again.
   */
  private refreshShape(): void {
    const shape = this.facts.find((f) => f.shapeDetected)?.shape;
    if (shape === this.shape) return;
    this.shape = shape;
    this.reanalyzeUndeclared(this.facts);
  }

  private reanalyzeUndeclared(facts: LineFacts[]): void {
    for (let i = 0; i < facts.length; i++) {
      const old = facts[i];
      if (old.kind !== 'data' || old.shapeDetected || old.shape === this.shape) continue;
      facts[i] = this.analyze(i);
      this.notify({ start: i, removed: 1, inserted: 1 }, [old], [facts[i]]);
    }
  }

  private notify(splice: LineSplice, removed: LineFacts[], inserted: LineFacts[]): void {
    for (const listener of this.spliceListeners) listener(splice, removed, inserted);
  }
}
