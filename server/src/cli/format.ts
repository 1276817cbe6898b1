import type { Diagnostic, TextRange } from '../../../common/engine/diagnostic.ts';
import type { DatasetStats } from '../../../common/engine/stats/dataset-stats.ts';
import type { SeverityCounts } from './diagnostic-cap.ts';

/**
 * How the CLI prints what the engine found. The engine speaks 0-based lines and UTF-16
 * columns with exclusive ends (as LSP does); people and CI tools read 1-based positions, so the
 * conversion happens here, once.
 */

export interface JsonRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function toJsonRange(range: TextRange): JsonRange {
  return {
    line: range.startLine + 1,
    column: range.startCol + 1,
    endLine: range.endLine + 1,
    endColumn: range.endCol + 1,
  };
}

/** `path:line:col: severity CODE message` (the format editors' problem matchers expect). */
export function formatDiagnosticText(path: string, d: Diagnostic): string {
  const message = oneLine(d.message);
  return `${path}:${d.range.startLine + 1}:${d.range.startCol + 1}: ${d.severity} ${d.code} ${message}\n`;
}

export interface JsonDiagnostic extends JsonRange {
  severity: string;
  code: string;
  message: string;
  suggestion?: string;
  related?: (JsonRange & { message: string })[];
}

export function toJsonDiagnostic(d: Diagnostic): JsonDiagnostic {
  const out: JsonDiagnostic = {
    ...toJsonRange(d.range),
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
  if (d.suggestion !== undefined) out.suggestion = d.suggestion;
  if (d.related && d.related.length > 0) {
    out.related = d.related.map((r) => ({ ...toJsonRange(r.range), message: r.message }));
  }
  return out;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `X errors, Y warnings` plus infos and hints only when there are some. */
export function describeCounts(c: SeverityCounts): string {
  const parts = [plural(c.error, 'error'), plural(c.warning, 'warning')];
  if (c.info > 0) parts.push(plural(c.info, 'info', 'infos'));
  if (c.hint > 0) parts.push(plural(c.hint, 'hint'));
  return parts.join(', ');
}

/** The line that closes a truncated text listing. */
export function formatOmitted(path: string, omitted: SeverityCounts, total: number): string {
  return `${path}: … and ${plural(total, 'more diagnostic', 'more diagnostics')} (${describeCounts(omitted)})\n`;
}

export interface FileSummary {
  path: string;
  pairs: number;
  counts: SeverityCounts;
  trainingReady: boolean;
}

/** `path: 12 pairs, 0 errors, 2 warnings — training-ready`. */
export function formatSummary(s: FileSummary): string {
  let verdict = s.trainingReady ? 'training-ready' : 'not training-ready';
  if (!s.trainingReady && s.counts.error === 0 && s.pairs === 0) verdict += ' (no training pairs)';
  return `${s.path}: ${plural(s.pairs, 'pair')}, ${describeCounts(s.counts)} — ${verdict}\n`;
}

/**
 * Statistics with a stable set of keys: a value the run did not compute (tokens with
 * `--no-tokens`) is `null`, not missing, so pipelines can tell "not counted" from a typo.
 */
export function statsToJson(stats: DatasetStats): Record<string, unknown> {
  return {
    shape: stats.shape ?? null,
    total_training_pairs: stats.total_training_pairs,
    total_samples: stats.total_samples,
    total_conversations: stats.total_conversations,
    total_tokens: stats.total_tokens ?? null,
    avg_turns_per_conversation: round(stats.avg_turns_per_conversation),
    avg_tokens_per_turn:
      stats.avg_tokens_per_turn === undefined ? null : round(stats.avg_tokens_per_turn),
    token_distribution: stats.token_distribution ? roundAll(stats.token_distribution) : null,
    tokenizer: stats.tokenizer ?? null,
    sample_data: stats.sample_data,
  };
}

/** Percentiles interpolate (fractions with float noise); two decimals are plenty. */
function roundAll<T extends object>(values: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === 'number' ? round(v) : v;
  return out as T;
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : n;
}

/** Aligned `name: value` lines for `brightrun stats` (sample data is left to --format json). */
export function formatStatsText(path: string, stats: DatasetStats): string {
  const rows: [string, string][] = [
    ['file', path],
    ['shape', stats.shape ?? '(no data lines)'],
    ['total_training_pairs', String(stats.total_training_pairs)],
    ['total_samples', String(stats.total_samples)],
    ['total_conversations', String(stats.total_conversations)],
    ['avg_turns_per_conversation', fixed(stats.avg_turns_per_conversation)],
  ];
  if (stats.total_tokens === undefined) {
    rows.push(['total_tokens', 'not counted (--no-tokens)']);
  } else {
    const tk = stats.tokenizer;
    const label = tk ? ` (${tk.name}${tk.exact ? '' : ', estimate'})` : '';
    rows.push(['total_tokens', `${stats.total_tokens}${label}`]);
    if (stats.avg_tokens_per_turn !== undefined) {
      rows.push(['avg_tokens_per_turn', fixed(stats.avg_tokens_per_turn)]);
    }
    const dist = stats.token_distribution;
    if (dist) {
      rows.push(
        ['tokens_per_sample_min', String(dist.min)],
        ['tokens_per_sample_p5', trim(dist.p5)],
        ['tokens_per_sample_median', trim(dist.median)],
        ['tokens_per_sample_mean', fixed(dist.mean)],
        ['tokens_per_sample_p95', trim(dist.p95)],
        ['tokens_per_sample_max', String(dist.max)],
        ['samples_over_max_seq_length', String(dist.overMaxSeqLength)],
      );
    }
  }
  rows.push(['sample_data', `${stats.sample_data.length} samples (see --format json)`]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}\n`).join('');
}

/** Whole numbers as they are, fractions with at most two decimals. */
function trim(n: number): string {
  return String(round(n));
}

function fixed(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : String(n);
}

/** Messages from the engine can quote user data; keep each diagnostic on one line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
