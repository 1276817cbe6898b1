import type { Severity } from '../diagnostic.ts';
import type { RuleCode } from '../rule-codes.ts';
import type { LineShape } from '../shape.ts';
import type { DatasetStats } from '../stats/dataset-stats.ts';

/** What validating a whole file says, besides the diagnostics streamed on the way. */
export interface DatasetReport {
  /** The file's shape: that of its first data line with shape markers. */
  shape: LineShape | undefined;
  /** No error-severity diagnostic (after overrides) and at least one training pair (§3). */
  trainingReady: boolean;
  /** Diagnostics reported, by severity after overrides ('off' ones are not counted). */
  counts: Record<Severity, number>;
  countsByCode: Partial<Record<RuleCode, number>>;
  stats: DatasetStats;
  /** Lines validated. */
  lines: number;
}
