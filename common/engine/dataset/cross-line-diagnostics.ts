import type { Diagnostic, RelatedLocation, TextRange } from '../diagnostic.ts';
import { lineRange } from '../diagnostic.ts';
import type { RuleCode } from '../rule-codes.ts';
import { RULES } from '../rule-codes.ts';
import type { LineShape } from '../shape.ts';
import type { KeyRange } from './marker-keys.ts';

/**
 * The diagnostics of the cross-line rules (dataset-format.md §3), built from what each rule
 * found: one function per rule, so that a host that finds the same facts another way (the
 * language server keeps an incremental index instead of streaming the file once) reports the
 * same code, range, message, suggestion and related location as CrossLineChecker (which calls
 * these too) does for the CLI. Lines are 0-based; messages show them 1-based. test/unit/documents/cross-line-index.test.ts
 * checks that the two agree on random documents.
 */

/** BRL003: a blank line; `trailing` when no non-blank line follows it. */
export function blankLineDiagnostic(line: number, length: number, trailing: boolean): Diagnostic {
  const message = trailing
    ? 'Blank line at the end of the file (one final newline is enough).'
    : 'Blank line between data lines.';
  return build('BRL003', lineRange(line, 0, length), message, {
    suggestion: 'Delete the blank line.',
  });
}

/**
 * BRL004. The reader strips the mark, so it occupies no column of the text the engine sees:
 * the range is the empty range at the start of line 1, where the mark was.
 */
export function byteOrderMarkDiagnostic(): Diagnostic {
  return build('BRL004', lineRange(0, 0, 0), 'The file starts with a UTF-8 byte order mark.', {
    suggestion: 'Save the file as UTF-8 without a byte order mark.',
  });
}

/** BRL010: a `_meta` header on a line other than the first; `key` is its `_meta` key. */
export function misplacedMetaDiagnostic(line: number, key: KeyRange): Diagnostic {
  return build(
    'BRL010',
    lineRange(line, key.start, key.end),
    `A _meta header is only allowed on line 1, not on line ${line + 1}.`,
    { suggestion: 'Move the header to line 1 or delete it.' },
  );
}

/** BRL011: `_meta.total_pairs` (at `range` on line 1) differs from the pair lines counted. */
export function totalPairsDiagnostic(
  total: { value: number; start: number; end: number },
  pairLines: number,
): Diagnostic {
  return build(
    'BRL011',
    lineRange(0, total.start, total.end),
    `_meta.total_pairs is ${total.value}, but the file has ${pairLines} pair ${plural(pairLines, 'line')}.`,
    { suggestion: `Set total_pairs to ${pairLines}.`, data: { expected: pairLines } },
  );
}

/**
 * BRL041: too few training pairs in the file. A document-level finding has no text of its own:
 * the empty range at the start of the file, where editors show file-level problems.
 */
export function fewPairsDiagnostic(trainingPairs: number, minimum: number): Diagnostic {
  return build(
    'BRL041',
    lineRange(0, 0, 0),
    `The file has ${trainingPairs} training ${plural(trainingPairs, 'pair')}; fine-tuning needs at least ${minimum}.`,
    { suggestion: 'Add more training pairs.' },
  );
}

/** BRL055: a line of `lineShape` (marked by `key`) in a file of `fileShape` (from `shapeLine`). */
export function shapeMismatchDiagnostic(
  line: number,
  key: KeyRange,
  lineShape: LineShape,
  fileShape: LineShape,
  shapeLine: number,
): Diagnostic {
  return build(
    'BRL055',
    lineRange(line, key.start, key.end),
    `This line has the ${lineShape} shape, but the file uses ${fileShape} (from line ${shapeLine + 1}).`,
    {
      suggestion: `Convert the line to ${fileShape} or move it to a file of its own.`,
      related: [wholeLine(shapeLine, 'The first line with the file shape')],
      data: { fileShape, lineShape },
    },
  );
}

/**
 * BRL030: the id at `id` on `line` was first used on `firstLine`, whose id value starts at
 * `firstStart`.
 */
export function duplicateIdDiagnostic(
  line: number,
  id: { value: string; start: number; end: number },
  firstLine: number,
  firstStart: number,
): Diagnostic {
  return build(
    'BRL030',
    lineRange(line, id.start, id.end),
    `Duplicate id ${quote(id.value)}: it is already used on line ${firstLine + 1}.`,
    {
      suggestion: 'Give every pair its own id.',
      related: [
        {
          range: lineRange(firstLine, firstStart, firstStart + (id.end - id.start)),
          message: 'First use of this id',
        },
      ],
      data: { firstLine },
    },
  );
}

/** BRL035: the conversation context at `context` differs from the conversation's first. */
export function conversationContextDiagnostic(
  line: number,
  context: { start: number; end: number },
  conversationId: string,
  firstLine: number,
): Diagnostic {
  return build(
    'BRL035',
    lineRange(line, context.start, context.end),
    `Conversation ${quote(conversationId)} has a different system_prompt or conversation_metadata than on line ${firstLine + 1}.`,
    {
      suggestion: 'Use the same system prompt and metadata on every line of a conversation.',
      related: [wholeLine(firstLine, 'The conversation as first written')],
      data: { firstLine },
    },
  );
}

/** BRL036: turn `turn` (at its range) of the conversation already appeared on `firstLine`. */
export function duplicateTurnDiagnostic(
  line: number,
  turn: { value: number; start: number; end: number },
  conversationId: string,
  firstLine: number,
): Diagnostic {
  return build(
    'BRL036',
    lineRange(line, turn.start, turn.end),
    `Turn ${turn.value} of conversation ${quote(conversationId)} already appears on line ${firstLine + 1}.`,
    {
      suggestion: 'Number the turns of a conversation 1, 2, 3… without repeats.',
      related: [wholeLine(firstLine, 'The first pair with this turn')],
      data: { firstLine },
    },
  );
}

/** BRL037: the samples of the line (its value spans `start`..`end`) repeat `firstLine`'s. */
export function duplicateSampleDiagnostic(
  line: number,
  start: number,
  end: number,
  firstLine: number,
): Diagnostic {
  return build(
    'BRL037',
    lineRange(line, start, end),
    `This sample is identical to the one on line ${firstLine + 1}.`,
    {
      suggestion: 'Delete the duplicate; training on it twice only weights it more.',
      related: [wholeLine(firstLine, 'The first copy of this sample')],
      data: { firstLine },
    },
  );
}

function build(
  code: RuleCode,
  range: TextRange,
  message: string,
  details: Pick<Diagnostic, 'suggestion' | 'related' | 'data'>,
): Diagnostic {
  const diagnostic: Diagnostic = { code, severity: RULES[code].severity, message, range };
  if (details.suggestion !== undefined) diagnostic.suggestion = details.suggestion;
  if (details.related !== undefined) diagnostic.related = details.related;
  if (details.data !== undefined) diagnostic.data = details.data;
  return diagnostic;
}

/** The whole of line `line`, from its first column to the start of the next line. */
function wholeLine(line: number, message: string): RelatedLocation {
  return { range: { startLine: line, startCol: 0, endLine: line + 1, endCol: 0 }, message };
}

const QUOTE_LIMIT = 60;

function quote(value: string): string {
  const shown = value.length > QUOTE_LIMIT ? `${value.slice(0, QUOTE_LIMIT)}…` : value;
  return JSON.stringify(shown);
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/**
 * BRL040: sample `sampleIndex` of the line (its value spans `start`..`end`) has more tokens than
 * the max sequence length. Not a cross-line rule, but like them it is reported outside
 * analyzeLine (once tokens are counted), so its wording lives here too.
 */
export function sequenceTooLongDiagnostic(
  line: number,
  start: number,
  end: number,
  sampleIndex: number,
  tokens: number,
  maxSeqLength: number,
): Diagnostic {
  return build(
    'BRL040',
    lineRange(line, start, end),
    `Sample ${sampleIndex + 1} of this line is ${tokens} tokens long, more than the max sequence length of ${maxSeqLength}; the trainer will cut it.`,
    {
      suggestion: 'Shorten the conversation or raise the max sequence length.',
      data: { tokens, maxSeqLength, sampleIndex },
    },
  );
}
