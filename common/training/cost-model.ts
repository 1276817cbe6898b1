import type { RecordedJobCost, TrainingJob } from '../api/types.ts';
import { gpuSpec } from './gpu-catalog.ts';
import { roundCents } from './money.ts';
import { expectedTrainingPairs } from './validation-split.ts';

/** Flat storage charge per job for its artifacts (training.md §3). */
export const STORAGE_COST = 0.5;
/** Start-up, per-epoch evaluation and final save, in seconds. */
export const STARTUP_SECONDS = 600;
export const EVALUATION_SECONDS_PER_EPOCH = 300;
export const FINAL_SAVE_SECONDS = 300;

export interface CostEstimateInput {
  gpu_config: { type: string; count: number };
  hyperparameters: {
    batch_size: number;
    gradient_accumulation_steps: number;
    epochs: number;
    validation_split: number;
  };
  dataset: {
    total_training_pairs: number;
    total_tokens: number;
    /** Distinct conversations (dataset statistics); without it each pair counts as one. */
    total_conversations?: number | null;
    name?: string;
  };
}

export interface CostEstimate {
  estimated_cost: number;
  cost_breakdown: { compute: number; storage: number };
  estimated_duration_hours: number;
  hourly_rate: number;
  training_details: {
    total_steps: number;
    steps_per_epoch: number;
    throughput_tokens_per_s: number;
    dataset_name: string | null;
  };
}

/**
 * The estimate of training.md §3, with one correction: steps are counted on the pairs left for
 * training after the validation split (validation-split.ts), because that is what the trainer
 * steps through; the spec's formula counted every pair. Tokens, and so time and money, are the
 * spec's: the held-out pairs are still evaluated every epoch. Throws on an unknown GPU type: callers normalise the
 * configuration first, so reaching this with one is a programming error.
 */
export function estimateJobCost(input: CostEstimateInput): CostEstimate {
  const spec = gpuSpec(input.gpu_config.type);
  if (!spec) throw new Error(`Unknown GPU type "${input.gpu_config.type}"`);
  const { count } = input.gpu_config;
  const { batch_size, gradient_accumulation_steps, epochs, validation_split } =
    input.hyperparameters;
  const { total_conversations } = input.dataset;
  const pairs = expectedTrainingPairs(
    input.dataset.total_training_pairs,
    total_conversations,
    validation_split,
  );
  const tokens = input.dataset.total_tokens;

  // Catalog prices are whole cents, so rounding the product only removes binary error
  // (2.8 × 3 = 8.399999999999999 in floating point).
  const hourlyRate = roundCents(spec.pricePerHour * count);
  const throughput = spec.tokensPerSecond * count;
  const stepsPerEpoch = Math.ceil(pairs / (batch_size * gradient_accumulation_steps));
  const totalSteps = stepsPerEpoch * epochs;
  const trainingSeconds = (tokens * epochs) / throughput;
  const overheadSeconds =
    STARTUP_SECONDS + epochs * EVALUATION_SECONDS_PER_EPOCH + FINAL_SAVE_SECONDS;
  const hours = (trainingSeconds + overheadSeconds) / 3600;
  const compute = hourlyRate * hours;

  return {
    estimated_cost: roundCents(compute + STORAGE_COST),
    cost_breakdown: { compute: roundCents(compute), storage: STORAGE_COST },
    estimated_duration_hours: hours,
    hourly_rate: hourlyRate,
    training_details: {
      total_steps: totalSteps,
      steps_per_epoch: stepsPerEpoch,
      throughput_tokens_per_s: throughput,
      dataset_name: input.dataset.name ?? null,
    },
  };
}

/**
 * What a job cost, as far as its row tells: its cost records once written (compute plus the
 * artifact's storage, as the cost dashboard counts it and comparable with the estimate), else
 * its final compute cost, else its cost so far. Null before it has cost anything.
 */
export function jobCost(
  job: Pick<TrainingJob, 'recorded_cost' | 'actual_cost' | 'running_cost'>,
): number | null {
  return job.recorded_cost?.total ?? job.actual_cost ?? job.running_cost ?? null;
}

/** `compute $0.00 + storage $0.50`, in the caller's money format. */
export function costBreakdown(
  recorded: RecordedJobCost,
  money: (amount: number) => string,
): string {
  return `compute ${money(recorded.training_compute)} + storage ${money(recorded.storage)}`;
}

/** Cost so far of a running job: hourly rate × hours since it started (unrounded). */
export function runningCost(hourlyRate: number, startedAtMs: number, nowMs: number): number {
  return (hourlyRate * Math.max(0, nowMs - startedAtMs)) / 3_600_000;
}
