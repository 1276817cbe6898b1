import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { sequenceTooLongDiagnostic } from '../../../../common/engine/dataset/cross-line-diagnostics.ts';
import type { Diagnostic, Severity } from '../../../../common/engine/diagnostic.ts';
import type { RuleCode, SeverityOverrides } from '../../../../common/engine/rule-codes.ts';
import type { Finding } from '../../documents/cross-line-index.ts';
import type { DatasetDocument, DocumentLine } from '../document/dataset-document.ts';
import { toLspDiagnostic } from './to-lsp.ts';

export interface CollectedDiagnostics {
  diagnostics: LspDiagnostic[];
  /** The JSON of `diagnostics` (an array) in UTF-8 pieces, cached with them (see transport.ts). */
  body: Buffer[];
  /** Every diagnostic found, by severity after overrides (not only the published ones). */
  counts: Record<Severity, number>;
  /** Training pairs (valid lines no cross-line error took out): the summary's figure. */
  trainingPairs: number;
}

export interface CollectOptions {
  overrides: SeverityOverrides;
  maxProblems: number;
  /** BRL040 is reported for lines whose tokens have been counted. */
  maxSeqLength: number;
}

/** One diagnostic ready to publish: its LSP form and that form's JSON in UTF-8. */
interface Ready {
  severity: Severity | 'off';
  lsp: LspDiagnostic | undefined;
  bytes: Buffer;
}

/** The line-local diagnostics of a line, ready to publish while the line keeps its number. */
interface PublishedLine {
  line: number;
  overrides: SeverityOverrides;
  ready: Ready[];
}

/** A cross-line finding ready to publish under the given overrides. */
interface PublishedFinding extends Ready {
  overrides: SeverityOverrides;
}

/** The last list published per document, and its JSON: reused when nothing in it changed. */
const lastPublished = new WeakMap<DatasetDocument, { items: Ready[]; body: Buffer }>();

const ORDER: Severity[] = ['error', 'warning', 'info', 'hint'];
const COMMA = Buffer.from(',');
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');
const NONE = Buffer.alloc(0);

/**
 * Gathers the diagnostics to publish for the document's current lines: line-local ones from
 * the lines that have any, the cross-line findings of the document's index, and BRL040 for
 * lines whose tokens were counted; with the user's severity overrides applied, errors first,
 * capped at `maxProblems` with a last diagnostic that says how many more exist.
 *
 * The cost of a publish does not grow with the document: counts come from the document's
 * running tallies, the walk over the lines with diagnostics stops once the published list is
 * full, and each diagnostic's LSP form and JSON are made once and kept with its line (or
 * finding), so after an edit only the lines it touched are converted again.
 */
export function collectDiagnostics(
  document: DatasetDocument,
  options: CollectOptions,
): CollectedDiagnostics {
  const { overrides, maxProblems } = options;
  const uri = document.uri;
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  const local: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const [key, n] of document.localCounts) {
    if (n === 0) continue;
    const [code, severity] = key.split(':') as [RuleCode, Severity];
    const shown = overrides[code] ?? severity;
    if (shown !== 'off') local[shown] += n;
  }

  const lines = document.lines();
  const crossLine = document.crossLine.results(
    lines,
    document.layout,
    document.shapeLine,
    (i) => document.line(i),
    overrides,
  );
  const others: Ready[] = [];
  for (const finding of crossLine.findings) others.push(publishedFinding(finding, uri, overrides));
  for (const entry of document.longLines) {
    if (lines[entry.index] !== entry) {
      document.longLines.delete(entry);
      continue;
    }
    for (const d of tooLong(entry, options.maxSeqLength)) others.push(ready(d, uri, overrides));
  }
  for (const severity of ORDER) counts[severity] = local[severity];
  for (const item of others) if (item.severity !== 'off') counts[item.severity]++;

  const total = counts.error + counts.warning + counts.info + counts.hint;
  const room = total > maxProblems ? Math.max(0, maxProblems - 1) : total;
  const items: Ready[] = [];
  const flagged = document.flagged();
  for (const severity of ORDER) {
    if (items.length >= room) break;
    const wanted = Math.min(room, items.length + local[severity]);
    for (let i = 0; i < flagged.length && items.length < wanted; i++) {
      const ready = publishedLine(flagged[i], uri, overrides).ready;
      for (let j = 0; j < ready.length; j++) {
        if (ready[j].severity === severity && items.length < wanted) items.push(ready[j]);
      }
    }
    for (const item of others) {
      if (items.length >= room) break;
      if (item.severity === severity) items.push(item);
    }
  }
  const diagnostics = items.map((item) => item.lsp!);
  let overflow: Buffer = NONE;
  if (room < total) {
    const summary = overflowDiagnostic(total - room, counts, maxProblems);
    diagnostics.push(summary);
    overflow = Buffer.from((items.length > 0 ? ',' : '') + JSON.stringify(summary));
  }
  return {
    diagnostics,
    body: [OPEN, listBody(document, items), overflow, CLOSE],
    counts,
    trainingPairs: crossLine.trainingPairs,
  };
}

/** The items' JSON joined with commas; the previous publish's when the items are the same. */
function listBody(document: DatasetDocument, items: Ready[]): Buffer {
  const last = lastPublished.get(document);
  if (
    last !== undefined &&
    last.items.length === items.length &&
    last.items.every((item, i) => item === items[i])
  ) {
    return last.body;
  }
  const parts: Buffer[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(COMMA);
    parts.push(items[i].bytes);
  }
  const body = Buffer.concat(parts);
  lastPublished.set(document, { items, body });
  return body;
}

function ready(d: Diagnostic, uri: string, overrides: SeverityOverrides): Ready {
  const severity = overrides[d.code] ?? d.severity;
  if (severity === 'off') return { severity, lsp: undefined, bytes: NONE };
  const lsp = toLspDiagnostic(d, uri, d.range.startLine, severity, true);
  return { severity, lsp, bytes: Buffer.from(JSON.stringify(lsp)) };
}

function publishedLine(
  entry: DocumentLine,
  uri: string,
  overrides: SeverityOverrides,
): PublishedLine {
  const cached = entry.published as PublishedLine | undefined;
  if (cached !== undefined && cached.line === entry.index && cached.overrides === overrides) {
    return cached;
  }
  const local = entry.facts.diagnostics;
  const items = new Array<Ready>(local.length);
  for (let j = 0; j < local.length; j++) {
    const severity = overrides[local[j].code] ?? local[j].severity;
    if (severity === 'off') {
      items[j] = { severity, lsp: undefined, bytes: NONE };
    } else {
      const lsp = toLspDiagnostic(local[j], uri, entry.index, severity);
      items[j] = { severity, lsp, bytes: Buffer.from(JSON.stringify(lsp)) };
    }
  }
  const published: PublishedLine = { line: entry.index, overrides, ready: items };
  entry.published = published;
  return published;
}

function publishedFinding(finding: Finding, uri: string, overrides: SeverityOverrides): Ready {
  const cached = finding.converted as PublishedFinding | undefined;
  if (cached !== undefined && cached.overrides === overrides) return cached;
  const converted: PublishedFinding = { ...ready(finding.diagnostic, uri, overrides), overrides };
  finding.converted = converted;
  return converted;
}

function tooLong(entry: DocumentLine, maxSeqLength: number): Diagnostic[] {
  const { tokens, facts } = entry;
  const found: Diagnostic[] = [];
  if (tokens === undefined || !facts.valid) return found;
  for (let s = 0; s < tokens.length; s++) {
    if (tokens[s] > maxSeqLength) {
      found.push(
        sequenceTooLongDiagnostic(entry.index, facts.start, facts.end, s, tokens[s], maxSeqLength),
      );
    }
  }
  return found;
}

export function overflowDiagnostic(
  hidden: number,
  counts: Record<Severity, number>,
  maxProblems: number,
): LspDiagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: 'brightrun',
    message:
      `${hidden} more problems are not shown (${counts.error} errors, ${counts.warning} ` +
      `warnings in all). Only ${maxProblems} are listed per file: fix these first, raise ` +
      '`brightrun.validation.maxProblems`, or run `brightrun validate` for the full list.',
  };
}
