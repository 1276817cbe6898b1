// worker-upload-urls: fresh signed upload URLs for a GPU worker that is about to upload the files
// of its job (see _shared/worker-token.ts for why). `POST` with `Authorization: Bearer <token>`,
// the token process-training-jobs put in the job's `input.upload_urls_refresh`; the answer is
// `{success: true, data: {upload_urls: {<file>: <url>}, expires_in}}` for the same files and
// object paths as the URLs the job was submitted with. 409 once the attempt no longer counts
// (the job ended, was cancelled or moved on to another attempt): its uploads would be ignored.
import { signUploadUrls } from '../_shared/artifact-files.ts';
import { AuthError, bearerToken } from '../_shared/auth.ts';
import { withServiceRole } from '../_shared/db.ts';
import { functionPath, HttpError, ok } from '../_shared/http.ts';
import { createHandler } from '../_shared/serve.ts';
import { storageFromEnv } from '../_shared/storage/port.ts';
import { verifyWorkerToken } from '../_shared/worker-token.ts';

export const FUNCTION_NAME = 'worker-upload-urls';

/** What hosted Storage grants an upload URL, whatever is asked: two hours. */
export const UPLOAD_URL_SECONDS = 2 * 60 * 60;

interface JobState {
  user_id: string;
  status: string;
  attempt: number;
  epochs: number;
  cancel_requested_at: Date | null;
}

export const handler = createHandler(FUNCTION_NAME, async (req, ctx) => {
  const path = functionPath(new URL(req.url), FUNCTION_NAME);
  if (path === undefined || path !== '/') throw new HttpError(404, 'Not found');
  ctx.log.route = `${req.method} /`;
  const token = bearerToken(req);
  if (token === undefined) {
    throw new AuthError(401, 'Missing Authorization header: send "Bearer <worker token>"');
  }
  const grant = await verifyWorkerToken(token);
  if (req.method !== 'POST') throw new HttpError(405, `${FUNCTION_NAME} accepts POST only`);
  await req.body?.cancel();
  ctx.log.extra.job_id = grant.jobId;
  ctx.log.extra.attempt = grant.attempt;

  const rows = await withServiceRole(
    (tx) => tx<JobState[]>`
      select user_id, status, attempt, epochs, cancel_requested_at
        from public.training_jobs where id = ${grant.jobId}`,
  );
  if (rows.length === 0) throw new HttpError(404, 'The job no longer exists');
  const job = rows[0];
  ctx.log.userId = job.user_id;
  const running = job.status === 'initializing' || job.status === 'running';
  if (!running || job.attempt !== grant.attempt || job.cancel_requested_at !== null) {
    throw new HttpError(
      409,
      `Attempt ${grant.attempt} of the job no longer counts (the job is ${job.status}, on ` +
        `attempt ${job.attempt}${job.cancel_requested_at === null ? '' : ', cancel requested'}): ` +
        'do not upload',
    );
  }

  const uploadUrls = await signUploadUrls(
    storageFromEnv(),
    { userId: job.user_id, jobId: grant.jobId, attempt: grant.attempt, epochs: job.epochs },
    UPLOAD_URL_SECONDS,
  );
  return ok({ upload_urls: uploadUrls, expires_in: UPLOAD_URL_SECONDS });
});
