/**
 * One run of create-model-artifacts (training.md §5): for each completed job without a ready
 * artifact, bring the files the GPU worker wrote into bucket `lora-models`, verify each against
 * the size and sha256 the trainer reported, record the per-epoch checkpoints, score the run's
 * quality, write the training summary and the storage cost, mark the artifact ready and notify.
 *
 * Where the files come from depends on the GPU cluster (see _shared/artifact-files.ts):
 * - the local GPU cluster serves them at `/files/{id}/{name}` on its own host: they are copied
 *   to `<user_id>/<artifact_id>/<file>`, streaming, hashed on the way;
 * - a RunPod worker has already uploaded them to the signed upload URLs the processor sent, and
 *   reports each as a storage key `lora-models/<user>/<artifact>/attempt-<n>/<file>`: the key must
 *   be exactly the one signed for this job's attempt, and the object is read back from storage to
 *   check its size and sha256 (nothing is copied).
 * A URL on any other host is refused: downloads carry the GPU cluster's key.
 *
 * Idempotent: the artifact id is derived from the job id, so a run that dies half way leaves
 * files that the next run overwrites in place; every row is written with ON CONFLICT, and the
 * whole database part commits at once. Two runs never work on one job: each holds the job's
 * row lock (FOR UPDATE SKIP LOCKED) for the duration.
 */
import type { JobOutput } from '../../../common/gpu-cluster/contract.ts';
import { STORAGE_COST } from '../../../common/training/cost-model.ts';
import { roundCents } from '../../../common/training/money.ts';
import { scoreQuality, type TrainingSummary } from '../../../common/training/quality.ts';
import {
  artifactIdFor,
  expectedArtifactFiles,
  MODELS_BUCKET,
  storageKey,
  uploadPath,
} from '../_shared/artifact-files.ts';
import { withServiceRole, type Tx } from '../_shared/db.ts';
import { GpuClusterClient } from '../_shared/gpu-cluster-client.ts';
import { logLine } from '../_shared/log.ts';
import { notify } from '../_shared/notify.ts';
import { writeComputeCost, writeStorageCost } from '../_shared/processing/costs.ts';
import { Sha256 } from '../_shared/processing/sha256.ts';
import type { StoragePort } from '../_shared/storage/port.ts';

export { artifactIdFor, MODELS_BUCKET };

interface CompletedJob {
  id: string;
  user_id: string;
  dataset_id: string;
  name: string | null;
  config: Record<string, unknown>;
  base_model: string;
  epochs: number;
  current_epoch: number;
  current_step: number;
  total_steps: number | null;
  gpu_type: string;
  gpu_count: number;
  attempt: number;
  hourly_rate: number | null;
  actual_cost: number | null;
  started_at: Date | null;
  completed_at: Date;
  gpu_output: (Partial<JobOutput> & Record<string, unknown>) | null;
  dataset_name: string | null;
}

interface CopiedFile {
  path: string;
  size: number;
  sha256: string;
  /** safetensors `__metadata__`, for checkpoints. */
  metadata?: Record<string, string>;
}

export interface ArtifactRunSummary extends Record<string, unknown> {
  created: string[];
  failed: string[];
  skipped: number;
}

function contentTypeOf(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.jsonl')) return 'application/x-ndjson';
  return 'application/octet-stream';
}

/** Reads the JSON header of a safetensors file from its first bytes, if they hold it. */
function safetensorsMetadata(head: Uint8Array): Record<string, string> | undefined {
  if (head.length < 8) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const length = Number(view.getBigUint64(0, true));
  if (length > head.length - 8) return undefined;
  try {
    const header = JSON.parse(new TextDecoder().decode(head.subarray(8, 8 + length))) as {
      __metadata__?: Record<string, string>;
    };
    return header.__metadata__;
  } catch {
    return undefined;
  }
}

const HEAD_BYTES = 64 * 1024;

export class ArtifactCreator {
  constructor(
    private readonly cluster: () => GpuClusterClient,
    private readonly storage: () => StoragePort,
    private readonly batch: number,
  ) {}

  async run(): Promise<ArtifactRunSummary> {
    const summary: ArtifactRunSummary = { created: [], failed: [], skipped: 0 };
    const pending = await withServiceRole(
      (tx) => tx<{ id: string }[]>`
        select j.id from public.training_jobs j
          left join public.model_artifacts a on a.job_id = j.id
         where j.status = 'completed' and (a.id is null or a.status = 'creating')
         order by j.completed_at
         limit ${this.batch}`,
    );
    for (const { id } of pending) {
      try {
        const outcome = await this.createFor(id);
        if (outcome === 'created') summary.created.push(id);
        else if (outcome === 'failed') summary.failed.push(id);
        else summary.skipped++;
      } catch (error) {
        // Left for the next run (storage or network trouble); nothing half-written is visible.
        logLine('error', {
          function: 'create-model-artifacts',
          event: 'artifact_error',
          job_id: id,
          error: error instanceof Error ? error.message : String(error),
        });
        summary.skipped++;
      }
    }
    return summary;
  }

  private createFor(jobId: string): Promise<'created' | 'failed' | 'skipped'> {
    // One transaction holds the job's row lock while its files are copied: a second run skips
    // the job, and a run that dies releases the lock with its connection.
    return withServiceRole(async (tx) => {
      const [job] = await tx<CompletedJob[]>`
        select j.id, j.user_id, j.dataset_id, j.name, j.config, j.base_model, j.epochs,
               j.current_epoch, j.current_step, j.total_steps, j.gpu_type, j.gpu_count,
               j.attempt, j.hourly_rate, j.actual_cost, j.started_at, j.completed_at, j.gpu_output,
               d.name as dataset_name
          from public.training_jobs j
          left join public.datasets d on d.id = j.dataset_id
         where j.id = ${jobId} and j.status = 'completed'
           and not exists (select from public.model_artifacts a
                            where a.job_id = j.id and a.status <> 'creating')
           for update of j skip locked`;
      if (job === undefined) return 'skipped' as const;
      return await this.build(tx, job);
    });
  }

  private async build(tx: Tx, job: CompletedJob): Promise<'created' | 'failed'> {
    const artifactId = artifactIdFor(job.id);
    const folder = `${job.user_id}/${artifactId}/`;
    const name = job.name ?? job.dataset_name ?? 'LoRA adapter';
    await tx`
      insert into public.model_artifacts (id, user_id, job_id, dataset_id, name, base_model,
                                          status, storage_path, config)
      values (${artifactId}, ${job.user_id}, ${job.id}, ${job.dataset_id}, ${name.slice(0, 200)},
              ${job.base_model}, 'creating', ${folder}, ${tx.json(job.config as never)})
      on conflict (job_id) do nothing`;

    const output = job.gpu_output ?? {};
    const locations = (output.model_files ?? {}) as Record<string, string>;
    if (Object.keys(locations).length === 0) {
      return await this.fail(tx, job, 'The GPU job reported no files: run the job again');
    }
    const reported = ((output.model_metadata as Record<string, unknown> | undefined)?.files ??
      {}) as Record<string, { size?: number; sha256?: string }>;

    const files: Record<string, CopiedFile> = {};
    for (const [fileName, location] of Object.entries(locations)) {
      const wantHead = fileName.endsWith('.safetensors');
      const expected = reported[fileName];
      if (/^https?:\/\//i.test(location)) {
        // The local GPU cluster's file server. A failed copy is retried by the next run.
        if (!this.cluster().servesFile(location)) {
          return await this.fail(
            tx,
            job,
            `The GPU job reported ${fileName} on a host other than the GPU cluster's: run the job again`,
          );
        }
        const copied = await this.copy(location, `${folder}${fileName}`, wantHead);
        if (expected?.sha256 !== undefined && expected.sha256 !== copied.sha256) {
          throw new Error(`The copy of ${fileName} does not match the sha256 the trainer reported`);
        }
        if (expected?.size !== undefined && expected.size !== copied.size) {
          throw new Error(`The copy of ${fileName} is ${copied.size} bytes, not ${expected.size}`);
        }
        files[fileName] = copied;
        continue;
      }
      // Uploaded by the worker: only the key signed for this attempt counts, and what is there
      // must be what the trainer wrote. Neither improves by waiting, so a mismatch fails.
      const path = uploadPath(job.user_id, job.id, job.attempt, fileName);
      if (location !== storageKey(MODELS_BUCKET, path)) {
        return await this.fail(
          tx,
          job,
          `The GPU job reported ${fileName} outside its artifact folder: run the job again`,
        );
      }
      const uploaded = await this.verifyUploaded(path, wantHead);
      if (uploaded === null) {
        return await this.fail(
          tx,
          job,
          `The GPU worker's upload of ${fileName} is missing from storage: run the job again`,
        );
      }
      if (
        (expected?.sha256 !== undefined && expected.sha256 !== uploaded.sha256) ||
        (expected?.size !== undefined && expected.size !== uploaded.size)
      ) {
        return await this.fail(
          tx,
          job,
          `The GPU worker's upload of ${fileName} does not match what the trainer wrote (${uploaded.size} bytes, sha256 ${uploaded.sha256}): run the job again`,
        );
      }
      files[fileName] = uploaded;
    }
    if (job.attempt > 1) await this.removeEarlierUploads(job);

    // Metric points give the losses of the quality score and of each checkpoint.
    const points = await tx<
      { step: number; epoch: number; training_loss: number; validation_loss: number | null }[]
    >`
      select step, epoch, training_loss, validation_loss from public.metrics_points
       where job_id = ${job.id} order by step`;
    const firstLoss = points[0]?.training_loss;
    const lastLoss = points.at(-1)?.training_loss;
    const lastValidation =
      points.findLast((p) => p.validation_loss !== null)?.validation_loss ?? null;
    const quality =
      firstLoss !== undefined && lastLoss !== undefined
        ? scoreQuality({
            first_training_loss: firstLoss,
            final_training_loss: lastLoss,
            final_validation_loss: lastValidation,
          })
        : null;

    for (const [fileName, file] of Object.entries(files)) {
      const match = /^checkpoints\/epoch-(\d+)\/adapter_model\.safetensors$/.exec(fileName);
      if (match === null) continue;
      const epoch = Number(match[1]);
      const metaStep = Number(file.metadata?.step);
      const step = Number.isInteger(metaStep)
        ? metaStep
        : Math.round(((job.total_steps ?? job.current_step) * epoch) / Math.max(1, job.epochs));
      const atStep = points.findLast((p) => p.step <= step);
      const validation = points.find((p) => p.step === step)?.validation_loss ?? null;
      await tx`
        insert into public.checkpoints (user_id, job_id, artifact_id, epoch, step, training_loss,
                                        validation_loss, storage_path, file_size)
        values (${job.user_id}, ${job.id}, ${artifactId}, ${epoch}, ${step},
                ${atStep?.training_loss ?? null}, ${validation}, ${file.path}, ${file.size})
        on conflict (job_id, step) do update
          set artifact_id = excluded.artifact_id, epoch = excluded.epoch,
              training_loss = excluded.training_loss, validation_loss = excluded.validation_loss,
              storage_path = excluded.storage_path, file_size = excluded.file_size`;
    }

    const totalSize = Object.values(files).reduce((sum, f) => sum + f.size, 0);
    const now = new Date();
    let computeCost = job.actual_cost ?? 0;
    if (job.started_at !== null && job.hourly_rate !== null) {
      computeCost = await writeComputeCost(
        tx,
        job,
        job.started_at,
        job.completed_at,
        job.hourly_rate,
      );
    }
    await writeStorageCost(tx, job, artifactId, totalSize, now);
    const durationHours =
      job.started_at === null
        ? 0
        : Math.max(0, job.completed_at.getTime() - job.started_at.getTime()) / 3_600_000;
    const summary: TrainingSummary = {
      epochs_completed: job.current_epoch || job.epochs,
      total_steps: job.total_steps ?? job.current_step,
      final_loss: lastLoss ?? Number.NaN,
      training_duration_hours: durationHours,
      total_cost: roundCents(computeCost + STORAGE_COST),
      gpu_type: job.gpu_type,
      gpu_count: job.gpu_count,
      dataset_name: job.dataset_name ?? '',
    };
    const stored = Object.fromEntries(
      Object.entries(files).map(([n, f]) => [n, { path: f.path, size: f.size, sha256: f.sha256 }]),
    );
    await tx`
      update public.model_artifacts
         set status = 'ready', files = ${tx.json(stored as never)}, total_size = ${totalSize},
             quality_metrics = ${quality ? tx.json(quality as never) : null},
             overall_score = ${quality?.overall_score ?? null},
             training_summary = ${tx.json({ ...summary, final_loss: lastLoss ?? null } as never)},
             error_message = null
       where job_id = ${job.id}`;
    await notify(tx, {
      userId: job.user_id,
      type: 'artifact_ready',
      title: `Adapter ready: ${name}`,
      message: quality
        ? `${name} is ready to download (quality ${quality.overall_score}/5, ${quality.convergence_quality}; loss fell ${quality.loss_reduction_percent.toFixed(1)}%).`
        : `${name} is ready to download.`,
      metadata: { job_id: job.id, artifact_id: artifactId },
    });
    logLine('info', {
      function: 'create-model-artifacts',
      event: 'artifact_ready',
      job_id: job.id,
      artifact_id: artifactId,
      files: Object.keys(files).length,
      bytes: totalSize,
    });
    return 'created';
  }

  /** Marks the artifact failed with a message that says what to do; nothing is retried. */
  private async fail(tx: Tx, job: CompletedJob, message: string): Promise<'failed'> {
    await tx`
      update public.model_artifacts set status = 'failed', error_message = ${message}
       where job_id = ${job.id}`;
    logLine('warn', {
      function: 'create-model-artifacts',
      event: 'artifact_failed',
      job_id: job.id,
      error: message,
    });
    return 'failed';
  }

  /** Streams one file from the worker into storage, hashing and counting on the way. */
  private async copy(url: string, path: string, wantHead: boolean): Promise<CopiedFile> {
    const { body } = await this.cluster().download(url);
    const digest = new Digest(wantHead);
    await this.storage().write(
      MODELS_BUCKET,
      path,
      body.pipeThrough(digest.tap()),
      contentTypeOf(path),
    );
    return digest.file(path);
  }

  /** Reads an object a worker uploaded back from storage: its size, sha256 and header. */
  private async verifyUploaded(path: string, wantHead: boolean): Promise<CopiedFile | null> {
    const storage = this.storage();
    if ((await storage.stat(MODELS_BUCKET, path)) === null) return null;
    const digest = new Digest(wantHead);
    await (await storage.read(MODELS_BUCKET, path))
      .pipeThrough(digest.tap())
      .pipeTo(new WritableStream());
    return digest.file(path);
  }

  /**
   * Removes what workers of earlier attempts may have uploaded (an attempt whose worker outlived
   * it, e.g. after a processor died mid-submission). Best effort: a leftover costs storage only.
   */
  private async removeEarlierUploads(job: CompletedJob): Promise<void> {
    const names = expectedArtifactFiles(job.epochs);
    const paths: string[] = [];
    for (let attempt = 1; attempt < job.attempt; attempt++) {
      for (const name of names) paths.push(uploadPath(job.user_id, job.id, attempt, name));
    }
    try {
      await this.storage().remove(MODELS_BUCKET, paths);
    } catch (error) {
      logLine('warn', {
        function: 'create-model-artifacts',
        event: 'cleanup_failed',
        job_id: job.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/** Counts, hashes and (for safetensors) keeps the head of the bytes that flow through it. */
class Digest {
  private readonly hash = new Sha256();
  private size = 0;
  private readonly head: Uint8Array[] = [];
  private headLength = 0;

  constructor(private readonly wantHead: boolean) {}

  tap(): TransformStream<Uint8Array, Uint8Array> {
    return new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, controller) => {
        this.hash.update(chunk);
        this.size += chunk.length;
        if (this.wantHead && this.headLength < HEAD_BYTES) {
          this.head.push(chunk.slice(0, HEAD_BYTES - this.headLength));
          this.headLength += Math.min(chunk.length, HEAD_BYTES - this.headLength);
        }
        controller.enqueue(chunk);
      },
    });
  }

  file(path: string): CopiedFile {
    const file: CopiedFile = { path, size: this.size, sha256: this.hash.hex() };
    if (this.wantHead) {
      const bytes = new Uint8Array(this.headLength);
      let at = 0;
      for (const part of this.head) {
        bytes.set(part, at);
        at += part.length;
      }
      file.metadata = safetensorsMetadata(bytes);
    }
    return file;
  }
}
