import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { V4LineScanner } from '../../../common/engine/fast/v4-line-scanner.ts';
import { collectDiagnostics } from '../../../server/src/lsp/diagnostics/collect.ts';
import type { ContentChange } from '../../../server/src/lsp/document/dataset-document.ts';
import { DatasetDocument } from '../../../server/src/lsp/document/dataset-document.ts';
import { warmUpLine } from '../../../server/src/lsp/document/line-analyzer.ts';

/**
 * The language server analyses clean v4 pair lines with the byte-level fast path and every
 * other line with the full analysis. Here a document analysed that way is compared with the
 * same document analysed by the full analysis alone (the server's path before the fast path):
 * after opening and after every random edit, the published diagnostics (codes, ranges,
 * messages, related information, data), the counts and training pairs, and every line's facts
 * that the index and the features read must be identical.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function published(document: DatasetDocument): unknown {
  const collected = collectDiagnostics(document, {
    overrides: {},
    maxProblems: 1_000_000,
    maxSeqLength: 4096,
  });
  return {
    diagnostics: collected.diagnostics,
    counts: collected.counts,
    trainingPairs: collected.trainingPairs,
    shape: document.fileShape,
    shapeLine: document.shapeLine?.index,
  };
}

function lineFacts(document: DatasetDocument): unknown[] {
  return document.lines().map(({ facts: f, sampleKey, index }) => ({
    index,
    kind: f.kind,
    shape: f.shape,
    shapeDetected: f.shapeDetected,
    valid: f.valid,
    pairs: f.pairs,
    conversations: f.conversations,
    start: f.start,
    end: f.end,
    sampleCount: f.sampleCount,
    id: f.id,
    conversationId: f.conversationId,
    turnNumber: f.turnNumber,
    context: f.conversationContext,
    targetRange: f.targetRange,
    meta: f.meta,
    samples: f.samples,
    sampleKey,
  }));
}

function fastLines(document: DatasetDocument): number {
  const scanner = new V4LineScanner();
  let accepted = 0;
  for (let i = 0; i < document.lineCount; i++) {
    const bytes = Buffer.from(document.line(i));
    if (scanner.scan(bytes, 0, bytes.length)) accepted++;
  }
  return accepted;
}

function assertSame(fast: DatasetDocument, full: DatasetDocument, context: string): void {
  assert.deepEqual(published(fast), published(full), context);
  assert.deepEqual(lineFacts(fast), lineFacts(full), context);
}

function open(text: string): [DatasetDocument, DatasetDocument] {
  return [
    new DatasetDocument('file:///t.jsonl', 1, text),
    new DatasetDocument('file:///t.jsonl', 1, text, { fastPath: false }),
  ];
}

function jsonlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonlFiles(path);
    return name.endsWith('.jsonl') ? [path] : [];
  });
}

const TYPED = ['"', 'x', '{', '}', ':', ',', '1', ' ', 'é', '日', '😀', '\u00a0', '\ud83d'];

/** Puts multi-byte text into the message contents of a v4 line (curly quotes, emoji, CJK). */
function unicodeLine(line: string, next: () => number): string {
  const extras = ['“quoted”', '😀', '日本語', 'naïve', '\u00a0', 'résumé 👍🏽'];
  return line.replace(
    /"(system_prompt|content|current_user_input|target_response)":"([^"\\]*)"/g,
    (whole, key: string, value: string) => {
      if (next() < 0.3) return whole;
      const at = Math.floor(next() * (value.length + 1));
      const extra = extras[Math.floor(next() * extras.length)];
      return `"${key}":"${value.slice(0, at)}${extra}${value.slice(at)}"`;
    },
  );
}

/** A random edit: a character typed or deleted, a line copied, moved, removed or broken. */
function randomChange(document: DatasetDocument, next: () => number): ContentChange {
  const count = document.lineCount;
  const at = Math.floor(next() * count);
  const line = document.line(at);
  const kind = next();
  const point = (l: number, c: number) => ({ line: l, character: c });
  if (kind < 0.35) {
    const col = Math.floor(next() * (line.length + 1));
    // Multi-byte characters too, and half a surrogate pair, which only the full path takes.
    const text = TYPED[Math.floor(next() * TYPED.length)];
    return { range: { start: point(at, col), end: point(at, col) }, text };
  }
  if (kind < 0.55 && line.length > 0) {
    const col = Math.floor(next() * line.length);
    return { range: { start: point(at, col), end: point(at, col + 1) }, text: '' };
  }
  if (kind < 0.7) {
    // Copy a line elsewhere: duplicate ids, turns and samples.
    const to = Math.floor(next() * count);
    return { range: { start: point(to, 0), end: point(to, 0) }, text: `${line}\n` };
  }
  if (kind < 0.8 && count > 2) {
    return { range: { start: point(at, 0), end: point(at + 1, 0) }, text: '' };
  }
  if (kind < 0.9) {
    // Change a value the cross-line rules compare.
    const edited = line
      .replace(/"turn_number":\d+/, `"turn_number":${1 + Math.floor(next() * 4)}`)
      .replace(/coach/, 'guide');
    return { range: { start: point(at, 0), end: point(at, line.length) }, text: edited };
  }
  return {
    range: { start: point(at, 0), end: point(at, 0) },
    text: `${warmUpLine(Math.floor(next() * 50), next() < 0.2)}\n`,
  };
}

describe('the fast path for clean v4 lines against the full analysis', () => {
  const files = [
    ...jsonlFiles(join(root, 'test/fixtures')),
    join(root, 'examples/financial-coaching.jsonl'),
  ];

  it('gives the same diagnostics and facts on every fixture and the example dataset', () => {
    let accepted = 0;
    for (const path of files) {
      const [fast, full] = open(readFileSync(path, 'utf8'));
      assertSame(fast, full, path);
      accepted += fastLines(fast);
    }
    // The comparison means something only if the fast path took many of the lines.
    assert.ok(accepted > 20, `only ${accepted} lines took the fast path`);
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    // Seeds 7 and 8 put multi-byte text into most lines' contents.
    const unicode = seed > 6;
    it(`stays the same through random edits (seed ${seed}${unicode ? ', Unicode' : ''})`, () => {
      const next = seeded(seed);
      const example = readFileSync(join(root, 'examples/financial-coaching.jsonl'), 'utf8');
      const base = example.split('\n').filter((l) => l.trim() !== '');
      const lines = Array.from({ length: 30 }, (_, i) => {
        const line =
          next() < 0.4 ? base[Math.floor(next() * base.length)] : warmUpLine(i, next() < 0.1);
        return unicode ? unicodeLine(line, next) : line;
      });
      const [fast, full] = open(lines.join('\n') + '\n');
      assert.ok(fastLines(fast) > 10, 'the fast path took lines');
      assertSame(fast, full, 'open');
      for (let step = 0; step < 80; step++) {
        const change = randomChange(fast, next);
        fast.applyChanges([change], step + 2);
        full.applyChanges([change], step + 2);
        assertSame(fast, full, `step ${step}: ${JSON.stringify(change)}`);
      }
    });
  }
});
