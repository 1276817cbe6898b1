// The cost dashboard: recorded spend (cost_records) by month, by job and by GPU type, this
// month against last, and what active jobs cost so far. All sums run as the user (RLS).
import type {
  CostDashboard,
  DayCost,
  GpuTypeCost,
  JobCost,
  PeriodCost,
} from '../../../../common/api/types.ts';
import { roundCents } from '../../../../common/training/money.ts';
import { withUser } from '../../_shared/db.ts';
import { ok } from '../../_shared/http.ts';
import type { Route, RouteContext } from '../router.ts';
import { QueryReader } from '../validate.ts';

/** `YYYY-MM-01` of the UTC month `offset` months from `now`'s. */
export function monthStart(now: Date, offset: number): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return d.toISOString().slice(0, 10);
}

const empty = (period: string): PeriodCost => ({ period, total: 0, compute: 0, storage: 0 });

async function dashboard({ url, claims }: RouteContext): Promise<Response> {
  const query = new QueryReader(url.searchParams, ['months']);
  const months = query.integer('months', { min: 1, max: 24, fallback: 6 });
  query.done();

  const now = new Date();
  const current = monthStart(now, 0);
  const last = monthStart(now, -1);
  const windowStart = monthStart(now, -(months - 1));
  const readFrom = months >= 2 ? windowStart : last;

  const data = await withUser(claims, async (tx): Promise<CostDashboard> => {
    const periods = await tx`
      select to_char(billing_period, 'YYYY-MM-DD') as period,
             coalesce(sum(amount), 0) as total,
             coalesce(sum(amount) filter (where cost_type = 'training_compute'), 0) as compute,
             coalesce(sum(amount) filter (where cost_type = 'storage'), 0) as storage
        from public.cost_records
       where user_id = ${claims.sub} and billing_period >= ${readFrom}::date
       group by billing_period`;
    const byJob = await tx`
      select c.job_id, j.name as job_name, coalesce(j.gpu_type, max(c.gpu_type)) as gpu_type,
             sum(c.amount) as total
        from public.cost_records c
        left join public.training_jobs j on j.id = c.job_id
       where c.user_id = ${claims.sub} and c.billing_period >= ${windowStart}::date
       group by c.job_id, j.name, j.gpu_type
       order by total desc, c.job_id
       limit 20`;
    const byDay = await tx`
      select to_char((created_at at time zone 'UTC')::date, 'YYYY-MM-DD') as date,
             sum(amount) as total
        from public.cost_records
       where user_id = ${claims.sub} and billing_period >= ${last}::date
       group by 1
       order by 1`;
    const byGpu = await tx`
      select gpu_type, sum(amount) as total, coalesce(sum(hours), 0) as hours
        from public.cost_records
       where user_id = ${claims.sub} and billing_period >= ${windowStart}::date
       group by gpu_type
       order by total desc`;
    const [active] = await tx`
      select count(*)::int as jobs,
             coalesce(sum(hourly_rate * extract(epoch from (now() - started_at)) / 3600)
                        filter (where started_at is not null), 0)::float8 as running_cost
        from public.training_jobs
       where user_id = ${claims.sub} and status in ('initializing', 'running')`;

    const byPeriod = new Map<string, PeriodCost>();
    for (const p of periods) {
      byPeriod.set(p.period as string, {
        period: p.period as string,
        total: Number(p.total),
        compute: Number(p.compute),
        storage: Number(p.storage),
      });
    }
    const window: PeriodCost[] = [];
    for (let i = months - 1; i >= 0; i--) {
      const period = monthStart(now, -i);
      window.push(byPeriod.get(period) ?? empty(period));
    }
    const currentMonth = byPeriod.get(current) ?? empty(current);
    const lastMonth = byPeriod.get(last) ?? empty(last);
    return {
      currency: 'USD',
      current_month: currentMonth,
      last_month: lastMonth,
      change_percent:
        lastMonth.total > 0
          ? Math.round(((currentMonth.total - lastMonth.total) / lastMonth.total) * 1000) / 10
          : null,
      by_period: window,
      by_day: byDay.map((r): DayCost => ({ date: r.date as string, total: Number(r.total) })),
      by_job: byJob.map(
        (r): JobCost => ({
          job_id: (r.job_id as string | null) ?? null,
          job_name: (r.job_name as string | null) ?? null,
          gpu_type: (r.gpu_type as string | null) ?? null,
          total: Number(r.total),
        }),
      ),
      by_gpu_type: byGpu.map(
        (r): GpuTypeCost => ({
          gpu_type: (r.gpu_type as string | null) ?? null,
          total: Number(r.total),
          hours: Number(r.hours),
        }),
      ),
      active: {
        jobs: active.jobs as number,
        running_cost: roundCents(Number(active.running_cost)),
      },
      total_in_window: roundCents(window.reduce((sum, p) => sum + p.total, 0)),
    };
  });
  return ok(data);
}

export const costRoutes: readonly Route[] = [
  { method: 'GET', pattern: '/costs/dashboard', handle: dashboard },
];
