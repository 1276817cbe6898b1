/**
 * One run of validate-datasets: claim up to a few datasets (claim_datasets_for_validation: FOR
 * UPDATE SKIP LOCKED with a lease, so two runs never hold the same one), validate each within
 * the run's time budget, and write the outcome — the finished statistics and errors with a
 * notification, or the cursor a later run resumes from.
 */
import { withServiceRole } from '../_shared/db.ts';
import { numberSetting, optionalEnv } from '../_shared/env.ts';
import { logLine } from '../_shared/log.ts';
import { notify } from '../_shared/notify.ts';
import { wakeFunction } from '../_shared/wake.ts';
import {
  validateDataset,
  type DatasetToValidate,
  type ValidationOutcome,
} from '../_shared/processing/validate-dataset.ts';
import { storageFromEnv } from '../_shared/storage/port.ts';

interface ClaimedDataset extends DatasetToValidate {
  user_id: string;
  name: string;
  validation_attempts: number;
}

/**
 * Time one run may spend validating before it saves a cursor. Validation is CPU-bound, and a
 * hosted Edge Function gets 2 s of CPU per request (wall clock 150–400 s): there a run stays well
 * under that and wakes the next run itself, so a large file is validated in a quick chain of
 * runs instead of one the platform would kill. The local stack (BRIGHTRUN_STORAGE=local) has no
 * such limit, and one long run is faster than a chain (each link re-reads its state).
 */
function defaultBudgetMs(): number {
  return optionalEnv('BRIGHTRUN_STORAGE') === 'local' ? 20_000 : 1200;
}
/** An unexpected failure this many claims in a row fails the dataset instead of retrying. */
const MAX_FAILED_CLAIMS = 5;

export interface ValidationRunSummary extends Record<string, unknown> {
  worker: string;
  claimed: number;
  ready: string[];
  failed: string[];
  paused: string[];
  released: string[];
}

export async function runValidation(): Promise<ValidationRunSummary> {
  const worker = `validate-datasets:${crypto.randomUUID()}`;
  const budgetMs = numberSetting('BRIGHTRUN_VALIDATION_BUDGET_MS', defaultBudgetMs());
  const sliceBytes = numberSetting('BRIGHTRUN_VALIDATION_SLICE_BYTES', 64 * 1024, 256);
  const limit = numberSetting('BRIGHTRUN_VALIDATION_BATCH', 2, 1, 100);
  const started = Date.now();
  const deadline = started + budgetMs;
  // The lease outlives the budget, so a run that is still writing is never overtaken.
  const leaseSeconds = Math.min(3600, Math.max(60, Math.ceil(budgetMs / 1000) + 60));

  const claimed = await withServiceRole(
    (tx) => tx<ClaimedDataset[]>`
      select id, user_id, name, storage_path, file_size, sha256, validation_cursor,
             validation_attempts
        from public.claim_datasets_for_validation(${worker}, ${limit}, ${leaseSeconds})`,
  );
  const summary: ValidationRunSummary = {
    worker,
    claimed: claimed.length,
    ready: [],
    failed: [],
    paused: [],
    released: [],
  };
  const storage = storageFromEnv();

  for (const dataset of claimed) {
    if (
      Date.now() >= deadline &&
      summary.ready.length + summary.failed.length + summary.paused.length > 0
    ) {
      // Out of time before starting this one: hand it back at once rather than at lease expiry.
      await release(dataset.id, worker);
      summary.released.push(dataset.id);
      continue;
    }
    let outcome: ValidationOutcome;
    try {
      outcome = await validateDataset(storage, dataset, { deadline, sliceBytes });
    } catch (error) {
      logLine('error', {
        function: 'validate-datasets',
        event: 'validation_error',
        dataset_id: dataset.id,
        error: error instanceof Error ? error.message : String(error),
      });
      if (dataset.validation_attempts >= MAX_FAILED_CLAIMS) {
        outcome = {
          kind: 'finished',
          trainingReady: false,
          errorMessage: `Validation could not read the file (${error instanceof Error ? error.message : String(error)}): upload it again`,
          validationErrors: [],
          stats: null,
          counts: null,
          bytes: 0,
          lines: 0,
          runs: dataset.validation_attempts,
        };
      } else {
        await release(dataset.id, worker);
        summary.released.push(dataset.id);
        continue;
      }
    }
    if (outcome.kind === 'paused') {
      await withServiceRole(
        (tx) => tx`
          update public.datasets
             set validation_cursor = ${tx.json(outcome.cursor as never)},
                 validation_claimed_by = null, validation_lease_expires_at = null
           where id = ${dataset.id} and validation_claimed_by = ${worker}
             and status = 'validating'`,
      );
      summary.paused.push(dataset.id);
      logLine('info', {
        function: 'validate-datasets',
        event: 'validation_paused',
        dataset_id: dataset.id,
        offset: outcome.cursor.offset,
        lines: outcome.cursor.lines,
        ...outcome.timings,
      });
      continue;
    }
    const written = await finish(dataset, worker, outcome);
    if (written) (outcome.trainingReady ? summary.ready : summary.failed).push(dataset.id);
    logLine('info', {
      function: 'validate-datasets',
      event: 'validation_finished',
      dataset_id: dataset.id,
      ready: outcome.trainingReady,
      bytes: outcome.bytes,
      lines: outcome.lines,
      runs: outcome.runs,
      ms: Date.now() - started,
    });
  }
  // A paused validation continues at once rather than at the next scheduled run.
  if (summary.paused.length > 0) wakeFunction('validate-datasets', { dataset_ids: summary.paused });
  return summary;
}

async function release(id: string, worker: string): Promise<void> {
  await withServiceRole(
    (tx) => tx`
      update public.datasets
         set validation_claimed_by = null, validation_lease_expires_at = null
       where id = ${id} and validation_claimed_by = ${worker}`,
  );
}

/** Writes the result and its notification in one transaction; false when the claim was lost. */
async function finish(
  dataset: ClaimedDataset,
  worker: string,
  outcome: Extract<ValidationOutcome, { kind: 'finished' }>,
): Promise<boolean> {
  const s = outcome.stats;
  const ready = outcome.trainingReady;
  return await withServiceRole(async (tx) => {
    const rows = await tx`
      update public.datasets
         set status = ${ready ? 'ready' : 'failed'},
             training_ready = ${ready},
             error_message = ${outcome.errorMessage},
             validation_errors = ${tx.json(outcome.validationErrors as never)},
             detected_shape = ${s?.detected_shape ?? null},
             total_training_pairs = ${s?.total_training_pairs ?? null},
             total_samples = ${s?.total_samples ?? null},
             total_conversations = ${s?.total_conversations ?? null},
             total_tokens = ${s?.total_tokens ?? null},
             tokens_estimated = ${s?.tokens_estimated ?? false},
             avg_turns_per_conversation = ${s?.avg_turns_per_conversation ?? null},
             avg_tokens_per_turn = ${s?.avg_tokens_per_turn ?? null},
             token_stats = ${s?.token_stats ? tx.json(s.token_stats as never) : null},
             sample_data = ${s ? tx.json(s.sample_data as never) : null},
             validated_at = now(),
             validation_cursor = null,
             validation_claimed_by = null,
             validation_lease_expires_at = null
       where id = ${dataset.id} and validation_claimed_by = ${worker} and status = 'validating'
      returning id`;
    if (rows.length === 0) return false;
    if (ready) {
      await notify(tx, {
        userId: dataset.user_id,
        type: 'dataset_validated',
        title: `Dataset ready: ${dataset.name}`,
        message: `${dataset.name} is ready for training: ${s?.total_training_pairs ?? 0} training pairs, ${s?.total_tokens ?? 0} tokens.`,
        metadata: { dataset_id: dataset.id },
      });
    } else {
      await notify(tx, {
        userId: dataset.user_id,
        type: 'dataset_validation_failed',
        priority: 'high',
        title: `Dataset validation failed: ${dataset.name}`,
        message: outcome.errorMessage ?? 'The dataset is not ready for training.',
        metadata: {
          dataset_id: dataset.id,
          error_count: outcome.counts?.error ?? null,
          first_error_line:
            outcome.validationErrors.find((e) => e.severity === 'error')?.line ?? null,
        },
      });
    }
    return true;
  });
}
