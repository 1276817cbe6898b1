/** CSV export of a job's metric series (every point, unsmoothed), RFC 4180 quoting. */
import type { MetricPoint } from '../../../common/api/types.ts';

export const CSV_COLUMNS = [
  'step',
  'epoch',
  'training_loss',
  'validation_loss',
  'learning_rate',
  'gradient_norm',
  'throughput',
  'gpu_utilization',
  'created_at',
] as const satisfies readonly (keyof MetricPoint)[];

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s =
    typeof value === 'number'
      ? numberText(value)
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Full precision, no exponent surprises for spreadsheet users beyond what JS prints. */
function numberText(n: number): string {
  return Number.isFinite(n) ? String(n) : '';
}

export function metricsToCsv(points: readonly MetricPoint[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const p of points) lines.push(CSV_COLUMNS.map((c) => csvCell(p[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** A file name for the export: the job's name made safe for every file system. */
export function csvFileName(jobName: string | null, jobId: string): string {
  const base = (jobName ?? '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${base || `job-${jobId.slice(0, 8)}`}-metrics.csv`;
}
