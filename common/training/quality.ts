/** Quality scoring of training.md §5. */

export type ConvergenceQuality = 'excellent' | 'good' | 'fair' | 'poor' | 'overfit';

export interface QualityInput {
  /** Training loss of the first logged step. */
  first_training_loss: number;
  final_training_loss: number;
  /** Absent when the job trained without a validation split. */
  final_validation_loss?: number | null;
}

export interface QualityMetrics {
  overall_score: number;
  convergence_quality: ConvergenceQuality;
  final_training_loss: number;
  final_validation_loss: number | null;
  /** e^(final validation loss); null without a validation loss (nothing honest to report). */
  perplexity: number | null;
  loss_reduction_percent: number;
}

/** Validation loss above training loss by more than this means the adapter overfit. */
export const OVERFIT_GAP = 0.5;

const BANDS: readonly { above: number; score: number; label: ConvergenceQuality }[] = [
  { above: 50, score: 5, label: 'excellent' },
  { above: 30, score: 4, label: 'good' },
  { above: 15, score: 3, label: 'fair' },
  { above: 5, score: 2, label: 'poor' },
];

export function scoreQuality(input: QualityInput): QualityMetrics {
  const first = input.first_training_loss;
  const last = input.final_training_loss;
  // A non-positive first loss gives no meaningful ratio; count it as no reduction.
  const reduction = first > 0 ? ((first - last) / first) * 100 : 0;
  const band = BANDS.find((b) => reduction > b.above);
  let score = band?.score ?? 1;
  let label: ConvergenceQuality = band?.label ?? 'poor';

  const validation = input.final_validation_loss ?? null;
  if (validation !== null && validation - last > OVERFIT_GAP) {
    label = 'overfit';
    // "Drops by one, not below 2": a score already at 1 or 2 is not raised by the floor.
    score = Math.min(score, Math.max(score - 1, 2));
  }

  return {
    overall_score: score,
    convergence_quality: label,
    final_training_loss: last,
    final_validation_loss: validation,
    perplexity: validation === null ? null : Math.exp(validation),
    loss_reduction_percent: reduction,
  };
}

export interface TrainingSummary {
  epochs_completed: number;
  total_steps: number;
  final_loss: number;
  training_duration_hours: number;
  total_cost: number;
  gpu_type: string;
  gpu_count: number;
  dataset_name: string;
}
