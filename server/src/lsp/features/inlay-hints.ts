import type { CancellationToken, InlayHint, Range } from 'vscode-languageserver';
import type { LineFacts } from '../../../../common/engine/line-facts.ts';
import { createEstimateCounter } from '../../../../common/tokenizers/estimate.ts';
import { throwIfCancelled } from './code-actions/cancellation.ts';

/** One line as the hints read it: its facts and, once counted in the background, its tokens. */
export interface HintLine {
  facts: LineFacts;
  tokens?: number[];
}

export interface HintDocument {
  readonly version: number;
  line(index: number): string;
  lines(): readonly HintLine[];
}

/** What the background count last said about the tokenizer (undefined before it finished). */
export interface TokenizerLabel {
  name: string;
  exact: boolean;
}

export interface HintOptions {
  maxSeqLength: number;
  tokenizer: TokenizerLabel | undefined;
}

/** Lines between two checks of the cancellation token. */
const LINES_PER_CHECK = 2048;

/** Counts for lines the background count has not reached: cheap, and labelled an estimate. */
const ESTIMATE = createEstimateCounter('estimate');

/**
 * Inlay hints at the end of each line in `range`: the tokens of its samples and their share of
 * the max sequence length; and on line 1 the dataset's totals. Counts come from the background
 * token count (never started or awaited here): a line it has not reached yet shows a labelled
 * estimate, and the totals say that counting is still going on. The client is asked to refresh
 * the hints when the count finishes.
 */
export function inlayHints(
  document: HintDocument,
  range: Range,
  options: HintOptions,
  token: CancellationToken,
): InlayHint[] {
  const lines = document.lines();
  const hints: InlayHint[] = [];
  const last = Math.min(range.end.line, lines.length - 1);
  for (let i = Math.max(0, range.start.line); i <= last; i++) {
    if ((i - range.start.line) % LINES_PER_CHECK === 0) throwIfCancelled(token);
    const hint = lineHint(lines[i], document.line(i).length, i, options);
    if (hint !== undefined) hints.push(hint);
  }
  if (range.start.line === 0 && lines.length > 0) {
    throwIfCancelled(token);
    hints.push(totalsHint(document, options));
  }
  return hints;
}

function lineHint(
  entry: HintLine,
  length: number,
  line: number,
  options: HintOptions,
): InlayHint | undefined {
  const { facts } = entry;
  if (facts.kind !== 'data' || !facts.valid || facts.samples.length === 0) return undefined;
  const counted = entry.tokens !== undefined && entry.tokens.length === facts.samples.length;
  const counts = counted
    ? entry.tokens!
    : facts.samples.map((s) => ESTIMATE.countSample(s.messages));
  const exact = counted && options.tokenizer?.exact !== false;
  const longest = Math.max(...counts);
  const total = counts.reduce((a, b) => a + b, 0);
  const percent = Math.round((longest / options.maxSeqLength) * 100);
  const approx = exact ? '' : '≈';
  const samples = counts.length > 1 ? `${counts.length} samples · ` : '';
  const over = longest > options.maxSeqLength ? ' ⚠ over max_seq_length' : '';
  const tokenizer = counted
    ? (options.tokenizer?.name ?? 'the base model tokenizer')
    : 'an estimate until the background count reaches this line';
  return {
    position: { line, character: length },
    label: `${samples}${approx}${total} tokens · ${percent}%${over}`,
    paddingLeft: true,
    tooltip:
      `Tokens of the rendered sample${counts.length > 1 ? 's' : ''} (${tokenizer}); ` +
      `the longest is ${percent}% of max_seq_length ${options.maxSeqLength}.`,
  };
}

interface Structure {
  version: number;
  pairs: number;
  samples: number;
  conversations: number;
}

/** Pair and conversation counts per document version (the token sum changes within one). */
const structures = new WeakMap<HintDocument, Structure>();

function totalsHint(document: HintDocument, options: HintOptions): InlayHint {
  const lines = document.lines();
  const structure = structureOf(document);
  let tokens = 0;
  let pending = 0;
  for (const { facts, tokens: counts } of lines) {
    if (!facts.valid || facts.samples.length === 0) continue;
    if (counts === undefined) pending++;
    else for (const t of counts) tokens += t;
  }
  const approx = options.tokenizer?.exact === false ? '≈' : '';
  const tokenPart = pending > 0 ? 'tokens: counting…' : `${approx}${tokens} tokens`;
  const label =
    `Dataset: ${structure.pairs} ${plural(structure.pairs, 'pair')} · ` +
    `${structure.conversations} ${plural(structure.conversations, 'conversation')} · ${tokenPart}`;
  return {
    position: { line: 0, character: document.line(0).length },
    label,
    paddingLeft: true,
    tooltip:
      `${structure.samples} valid ${plural(structure.samples, 'line')}` +
      (pending > 0 ? `; ${pending} still being counted` : '') +
      (options.tokenizer === undefined ? '' : `; tokenizer ${options.tokenizer.name}`),
  };
}

function structureOf(document: HintDocument): Structure {
  const cached = structures.get(document);
  if (cached?.version === document.version) return cached;
  let pairs = 0;
  let samples = 0;
  let chatConversations = 0;
  const ids = new Set<string>();
  for (const { facts } of document.lines()) {
    if (!facts.valid) continue;
    pairs += facts.pairs;
    samples++;
    if (facts.conversationId !== undefined) ids.add(facts.conversationId.value);
    else chatConversations += facts.conversations;
  }
  const structure = {
    version: document.version,
    pairs,
    samples,
    conversations: ids.size + chatConversations,
  };
  structures.set(document, structure);
  return structure;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
