/**
 * How many pairs a job trains on once the trainer has held out its validation data
 * (`split_validation` in gpu-worker/trainer/dataset.py). The estimate counts steps on these
 * pairs, not on all of them, so the steps a user is shown before submitting are the steps the
 * monitor then counts up to. The SQL estimate (`private.expected_training_pairs`) mirrors this.
 *
 * The trainer holds out whole conversations, in a seeded random order, until it holds at least
 * `wantedValidationPairs` pairs, and always keeps one conversation to train on; a dataset of a
 * single conversation is not split. Knowing only the totals, the estimate takes conversations to
 * be of equal size: exact when they are (one pair each, commonly), close otherwise.
 */
export function expectedTrainingPairs(
  pairs: number,
  conversations: number | null | undefined,
  validationSplit: number,
): number {
  // Missing statistics: count each pair as its own conversation, as a v4 file of first turns is.
  const groups = Math.min(Math.max(conversations ?? pairs, 1), pairs);
  if (validationSplit <= 0 || groups < 2) return pairs;
  const wanted = wantedValidationPairs(pairs, validationSplit);
  const heldGroups = Math.min(groups - 1, Math.ceil((wanted * groups) / pairs));
  return pairs - Math.round((heldGroups * pairs) / groups);
}

/**
 * The trainer's target size of the validation set: `pairs × split` rounded half up, at least one.
 * The product is snapped to 15 significant digits first so that a split written as a decimal
 * (0.15 × 10) rounds as the decimal does, as Postgres's numeric and the trainer do.
 */
export function wantedValidationPairs(pairs: number, validationSplit: number): number {
  return Math.max(1, Math.floor(Number((pairs * validationSplit).toPrecision(15)) + 0.5));
}
