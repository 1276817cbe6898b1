/** The cost dashboard's derived figures (pure). */
import type { CostDashboardView, DayCost, RunningJobView } from '../shared/messages.ts';

export interface SpendBar {
  label: string;
  total: number;
}

/** Spend per day when the route returns it, else per month (the API's `by_period`). */
export function spendBars(d: CostDashboardView): { unit: 'day' | 'month'; bars: SpendBar[] } {
  if (d.by_day && d.by_day.length > 0) {
    return {
      unit: 'day',
      bars: fillDays(d.by_day).map((x) => ({ label: x.date, total: x.total })),
    };
  }
  return { unit: 'month', bars: d.by_period.map((p) => ({ label: p.period, total: p.total })) };
}

/** Zero-fills the days between the first and last entry so the chart's axis is even. */
export function fillDays(days: readonly DayCost[]): DayCost[] {
  if (days.length === 0) return [];
  const byDate = new Map(days.map((d) => [d.date, d.total]));
  const sorted = [...byDate.keys()].sort();
  const out: DayCost[] = [];
  const end = Date.parse(`${sorted[sorted.length - 1]}T00:00:00Z`);
  for (let t = Date.parse(`${sorted[0]}T00:00:00Z`); t <= end; t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    out.push({ date, total: byDate.get(date) ?? 0 });
  }
  return out;
}

/** A running job's cost now: its cost at fetch time plus its hourly rate since then. */
export function accruedCost(job: RunningJobView, fetchedAtMs: number, nowMs: number): number {
  return job.runningCost + (job.hourlyRate * Math.max(0, nowMs - fetchedAtMs)) / 3_600_000;
}

/** This month including what running jobs have accrued so far. */
export function currentMonthWithRunning(
  d: CostDashboardView,
  running: readonly RunningJobView[],
  fetchedAtMs: number,
  nowMs: number,
): number {
  return (
    d.current_month.total + running.reduce((sum, j) => sum + accruedCost(j, fetchedAtMs, nowMs), 0)
  );
}
