// A GPU worker's pass for one job attempt. Hosted Supabase Storage signs upload URLs for two
// hours whatever is asked, so a job that queues and trains longer than that would find the URLs
// it was submitted with expired when it uploads. process-training-jobs gives the worker this
// token with the job; the worker trades it at `worker-upload-urls` for fresh URLs, just before
// uploading. It grants only that: new upload URLs into the folder of its own attempt, while that
// attempt is the job's current one and the job runs.
//
// An HS256 JWT keyed by a SHA-256 of the service role key (which every function has, hosted and
// local), with its own audience: it cannot pass for a user's or a storage URL's token, and those
// cannot pass for it.
import { errors as joseErrors, jwtVerify, SignJWT } from 'npm:jose@6.2.18';
import { AuthError } from './auth.ts';
import { requireEnv } from './env.ts';

const AUDIENCE = 'brightrun-worker-upload-urls';
const encoder = new TextEncoder();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface WorkerGrant {
  jobId: string;
  attempt: number;
}

async function signingKey(): Promise<Uint8Array> {
  const serviceKey = requireEnv('SUPABASE_SERVICE_ROLE_KEY');
  const material = encoder.encode(`${AUDIENCE}\n${serviceKey}`);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', material));
}

/** A token for `grant`, valid until `expiresAt` (seconds since the epoch). */
export async function signWorkerToken(grant: WorkerGrant, expiresAt: number): Promise<string> {
  return await new SignJWT({ job_id: grant.jobId, attempt: grant.attempt })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt))
    .sign(await signingKey());
}

/** The grant of a valid token; AuthError(401) for anything else, saying why. */
export async function verifyWorkerToken(token: string): Promise<WorkerGrant> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, await signingKey(), {
      algorithms: ['HS256'],
      audience: AUDIENCE,
      requiredClaims: ['exp'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new AuthError(
        401,
        "The worker token has expired: the job's time at the provider is over",
      );
    }
    if (error instanceof joseErrors.JOSEError) {
      throw new AuthError(
        401,
        'Invalid worker token: send the upload_urls_refresh token of the job',
      );
    }
    throw error;
  }
  const { job_id: jobId, attempt } = payload;
  if (typeof jobId !== 'string' || !UUID.test(jobId) || !Number.isInteger(attempt)) {
    throw new AuthError(401, 'Invalid worker token: no job id or attempt');
  }
  return { jobId, attempt: attempt as number };
}
