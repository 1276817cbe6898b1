import { getProperty } from '../json/ast.ts';
import type { JsonObject } from '../json/ast.ts';
import { parseLine } from '../json/parse-line.ts';
import type { LineFacts } from '../line-facts.ts';
import type { LineOptions } from '../options.ts';
import {
  reportNotAnObject,
  reportParseWarnings,
  reportSyntaxError,
} from '../rules/json-problems.ts';
import { LineReporter } from '../rules/line-reporter.ts';
import { checkMetaHeader } from '../rules/meta-header.ts';
import { chatLineFacts } from './chat-facts.ts';
import { detectShape } from './detect-shape.ts';
import { v4PairFacts } from './v4-facts.ts';

/** The shape a line without markers gets when the file has not shown one yet. */
const DEFAULT_SHAPE = 'brightrun_lora_v4';

/**
 * Everything one line says on its own (dataset-format.md §1–§3): its kind, its shape, its
 * line-local diagnostics with exact ranges, and the facts cross-line rules and statistics need.
 * Rules that need other lines (BRL003, BRL010, BRL011, BRL030, BRL035–BRL037, BRL055) are not
 * checked here. `line` is the 0-based line number the ranges are put on.
 */
export function analyzeLine(text: string, line: number, options: LineOptions): LineFacts {
  const first = skipWhitespace(text, 0);
  if (first === text.length) return nonDataFacts('blank', [], 0, text.length);

  const parsed = parseLine(text);
  const r = new LineReporter(line);
  const root = parsed.root;
  if (root === undefined) {
    if (parsed.syntaxError !== undefined) reportSyntaxError(r, text, parsed.syntaxError);
    reportParseWarnings(r, parsed.warnings);
    return nonDataFacts('invalid', sortByPosition(r.diagnostics), first, trimmedEnd(text));
  }
  reportParseWarnings(r, parsed.warnings);
  if (root.type !== 'object') {
    reportNotAnObject(r, root);
    return nonDataFacts('invalid', sortByPosition(r.diagnostics), root.start, root.end);
  }

  const meta = getProperty(root, '_meta');
  if (meta !== undefined) {
    const totalPairs = checkMetaHeader(r, root, meta);
    const facts = nonDataFacts('meta', sortByPosition(r.diagnostics), root.start, root.end);
    facts.meta = { totalPairs };
    return facts;
  }

  const facts = dataFacts(text, root, r, options);
  facts.diagnostics = sortByPosition(facts.diagnostics);
  return facts;
}

function dataFacts(
  text: string,
  root: JsonObject,
  r: LineReporter,
  options: LineOptions,
): LineFacts {
  const detected = detectShape(root);
  const shape = detected ?? options.expectedShape ?? DEFAULT_SHAPE;
  const shapeDetected = detected !== undefined;
  return shape === 'brightrun_lora_v4'
    ? v4PairFacts(text, root, r, shapeDetected)
    : chatLineFacts(root, r, shape, shapeDetected);
}

function nonDataFacts(
  kind: 'blank' | 'invalid' | 'meta',
  diagnostics: LineFacts['diagnostics'],
  start: number,
  end: number,
): LineFacts {
  return {
    kind,
    shape: undefined,
    shapeDetected: false,
    diagnostics,
    valid: false,
    pairs: 0,
    samples: [],
    conversations: 0,
    start,
    end,
  };
}

/** Rules run field by field; users read a line left to right. */
function sortByPosition(diagnostics: LineFacts['diagnostics']): LineFacts['diagnostics'] {
  if (diagnostics.length > 1) diagnostics.sort((a, b) => a.range.startCol - b.range.startCol);
  return diagnostics;
}

/** Skips JSON whitespace (space, tab, LF, CR): a line of only these is blank. */
function skipWhitespace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

function trimmedEnd(text: string): number {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    end--;
  }
  return end;
}
