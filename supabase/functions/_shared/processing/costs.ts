/**
 * Cost records (training.md §3): a job's compute cost is written once when it ends (hourly rate ×
 * hours between started_at and completed_at), and an artifact adds one storage record. The
 * unique (job_id, cost_type) key makes every write here safe to repeat.
 */
import { STORAGE_COST } from '../../../../common/training/cost-model.ts';
import { roundCents } from '../../../../common/training/money.ts';
import type { Tx } from '../db.ts';

export interface CostedJob {
  id: string;
  user_id: string;
  gpu_type: string;
  gpu_count: number;
}

function billingPeriod(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

/** Writes the job's final compute cost (and actual_cost) unless it is already recorded. */
export async function writeComputeCost(
  tx: Tx,
  job: CostedJob,
  startedAt: Date,
  completedAt: Date,
  hourlyRate: number,
): Promise<number> {
  const hours = Math.max(0, completedAt.getTime() - startedAt.getTime()) / 3_600_000;
  const amount = roundCents(hourlyRate * hours);
  const inserted = await tx`
    insert into public.cost_records (user_id, job_id, cost_type, amount, gpu_type, gpu_count,
                                     hours, hourly_rate, billing_period, metadata)
    values (${job.user_id}, ${job.id}, 'training_compute', ${amount}, ${job.gpu_type},
            ${job.gpu_count}, ${hours}, ${hourlyRate}, ${billingPeriod(completedAt)},
            ${tx.json({ started_at: startedAt.toISOString(), completed_at: completedAt.toISOString() })})
    on conflict (job_id, cost_type) do nothing
    returning id`;
  if (inserted.length > 0) {
    await tx`
      update public.training_jobs set actual_cost = ${amount}, running_cost = ${amount}
       where id = ${job.id}`;
  }
  return amount;
}

/** The storage record of a job's artifact (a flat charge per artifact). */
export async function writeStorageCost(
  tx: Tx,
  job: CostedJob,
  artifactId: string,
  totalBytes: number,
  at: Date,
): Promise<number> {
  await tx`
    insert into public.cost_records (user_id, job_id, cost_type, amount, billing_period, metadata)
    values (${job.user_id}, ${job.id}, 'storage', ${STORAGE_COST}, ${billingPeriod(at)},
            ${tx.json({ artifact_id: artifactId, bytes: totalBytes })})
    on conflict (job_id, cost_type) do nothing`;
  return STORAGE_COST;
}
