/**
 * Where a job's adapter files live in bucket `lora-models` (training.md §5), shared by the two
 * functions that agree on it: process-training-jobs signs upload URLs there when it submits a
 * job (a RunPod worker's disk is gone when the job ends, so the worker uploads its files itself),
 * and create-model-artifacts finds and verifies them there, or copies them there from the local
 * GPU cluster.
 *
 * Layout: `<user>/<artifact>/<file>` for files copied by create-model-artifacts, and
 * `<user>/<artifact>/attempt-<n>/<file>` for files a GPU worker uploaded during attempt `n`.
 * Uploads go to one folder per attempt because signed upload URLs never overwrite
 * (Supabase's default): a worker of an abandoned attempt that still finishes must not collide
 * with the attempt that counts, and the attempt that counts is the only one whose folder the
 * backend reads.
 */
import { Sha256 } from './processing/sha256.ts';
import type { StoragePort } from './storage/port.ts';

export const MODELS_BUCKET = 'lora-models';

/** The trainer's file names (gpu-worker/trainer/artifacts.py) besides the checkpoints. */
export const ADAPTER_FILE = 'adapter_model.safetensors';
export const ADAPTER_FILES = [ADAPTER_FILE, 'adapter_config.json', 'training_log.jsonl'] as const;

/** A UUID derived from the job id (SHA-256 based, version nibble 5 style): stable across runs. */
export function artifactIdFor(jobId: string): string {
  const hex = new Sha256().update(new TextEncoder().encode(`brightrun-artifact:${jobId}`)).hex();
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The artifact's folder in lora-models, with its trailing slash. */
export function artifactFolder(userId: string, jobId: string): string {
  return `${userId}/${artifactIdFor(jobId)}/`;
}

/** The per-epoch checkpoint file the trainer writes at the end of epoch `epoch`. */
export function checkpointFile(epoch: number): string {
  return `checkpoints/epoch-${epoch}/${ADAPTER_FILE}`;
}

/**
 * Every file a run of `epochs` epochs leaves: the adapter, its config, the training log and one
 * checkpoint per epoch. The trainer saves a checkpoint at the end of every epoch, so the count is
 * known when the job is submitted (at most 3 + 20 names: epochs are capped at 20).
 */
export function expectedArtifactFiles(epochs: number): string[] {
  const count = Number.isInteger(epochs) && epochs > 0 ? epochs : 0;
  return [...ADAPTER_FILES, ...Array.from({ length: count }, (_, i) => checkpointFile(i + 1))];
}

/** The object path (in lora-models) a worker uploads `file` to during attempt `attempt`. */
export function uploadPath(userId: string, jobId: string, attempt: number, file: string): string {
  return `${artifactFolder(userId, jobId)}attempt-${attempt}/${file}`;
}

/**
 * A signed upload URL for every file a run of `epochs` epochs writes, into the folder of
 * attempt `attempt` (file name → URL): what a GPU worker is given when the job is submitted,
 * and again, fresh, just before it uploads (worker-upload-urls).
 */
export async function signUploadUrls(
  storage: StoragePort,
  job: { userId: string; jobId: string; attempt: number; epochs: number },
  expiresInSeconds: number,
): Promise<Record<string, string>> {
  const files = expectedArtifactFiles(job.epochs);
  const urls = await Promise.all(
    files.map((file) =>
      storage.createSignedUploadUrl(
        MODELS_BUCKET,
        uploadPath(job.userId, job.jobId, job.attempt, file),
        expiresInSeconds,
      ),
    ),
  );
  return Object.fromEntries(files.map((file, i) => [file, urls[i]]));
}

/**
 * How a worker reports an uploaded file in `output.model_files`: the object's key,
 * `<bucket>/<path>` — no host and no signature, so it grants nothing, and the backend compares
 * it with the path it signed instead of following it anywhere.
 */
export function storageKey(bucket: string, path: string): string {
  return `${bucket}/${path}`;
}
