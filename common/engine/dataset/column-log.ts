/**
 * Remembers one column per line (e.g. where the `id` value starts) for lines that arrive in
 * order, storing only the lines where the column changes. In a typical file the column is the
 * same on every line (`{"id": "` opens each line), so a million lines cost one entry; a file
 * whose column wobbles costs at most 8 bytes per line.
 */
export class ColumnLog {
  private lines = new Uint32Array(16);
  private columns = new Uint32Array(16);
  private length = 0;

  /** Records `column` for `line`; lines must be recorded in increasing order. */
  record(line: number, column: number): void {
    const n = this.length;
    if (n > 0 && this.columns[n - 1] === column) return;
    if (n === this.lines.length) {
      this.lines = grow(this.lines);
      this.columns = grow(this.columns);
    }
    this.lines[n] = line;
    this.columns[n] = column;
    this.length = n + 1;
  }

  /** The column recorded for `line` (which must have been recorded), or 0. */
  columnAt(line: number): number {
    // The last change at or before `line`.
    let low = 0;
    let high = this.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.lines[mid] <= line) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found < 0 ? 0 : this.columns[found];
  }

  get byteLength(): number {
    return this.lines.byteLength + this.columns.byteLength;
  }
}

function grow(array: Uint32Array): Uint32Array<ArrayBuffer> {
  const bigger = new Uint32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
