/** The estimate as the configure panel shows it, and whether the server's figure agrees. */
import type { CostEstimate } from '../../../common/training/cost-model.ts';
import {
  formatCompact,
  formatHourlyRate,
  formatHours,
  formatInteger,
  formatMoney,
} from '../format/format.ts';

export interface EstimateLines {
  cost: string;
  compute: string;
  storage: string;
  duration: string;
  steps: string;
  hourlyRate: string;
  throughput: string;
}

export function describeEstimate(e: CostEstimate): EstimateLines {
  const d = e.training_details;
  return {
    cost: formatMoney(e.estimated_cost),
    compute: formatMoney(e.cost_breakdown.compute),
    storage: formatMoney(e.cost_breakdown.storage),
    duration: formatHours(e.estimated_duration_hours),
    steps: `${formatInteger(d.total_steps)} (${formatInteger(d.steps_per_epoch)} per epoch)`,
    hourlyRate: formatHourlyRate(e.hourly_rate),
    throughput: `${formatCompact(d.throughput_tokens_per_s)} tokens/s`,
  };
}

/**
 * The server's estimate confirms the local one when the money and the steps agree. They are the
 * same model (common/training/cost-model.ts), so a difference means the dataset's statistics or
 * the configuration changed on the server side: the server's figure is the one to trust.
 */
export function estimatesAgree(local: CostEstimate, server: CostEstimate): boolean {
  return (
    Math.round(local.estimated_cost * 100) === Math.round(server.estimated_cost * 100) &&
    Math.round(local.hourly_rate * 100) === Math.round(server.hourly_rate * 100) &&
    local.training_details.total_steps === server.training_details.total_steps
  );
}
