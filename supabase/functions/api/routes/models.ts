// Trained models (artifacts): list, detail with checkpoints, and signed download URLs, one per
// file, valid for an hour (training.md §5).
import {
  DOWNLOAD_URL_TTL_SECONDS,
  type ArtifactFile,
  type ArtifactStatus,
  type DownloadResponse,
  type ListModelsResponse,
  type ModelDetailResponse,
  type SignedDownload,
} from '../../../../common/api/types.ts';
import { withUser } from '../../_shared/db.ts';
import { HttpError, ValidationError, readJson, ok } from '../../_shared/http.ts';
import { storageFromEnv } from '../../_shared/storage/port.ts';
import { ARTIFACT_COLUMNS, CHECKPOINT_COLUMNS, toArtifact, toCheckpoint } from '../rows.ts';
import type { Route, RouteContext } from '../router.ts';
import { listPage } from '../paging.ts';
import { BodyReader, QueryReader, pathId } from '../validate.ts';

export const MODELS_BUCKET = 'lora-models';

const LISTABLE: readonly Exclude<ArtifactStatus, 'deleted'>[] = ['creating', 'ready', 'failed'];

async function listModels({ url, claims }: RouteContext): Promise<Response> {
  const query = new QueryReader(url.searchParams, ['limit', 'offset', 'status', 'job_id']);
  const { limit, offset } = query.page();
  const status = query.oneOf('status', LISTABLE);
  const jobId = query.uuid('job_id');
  query.done();

  const data = await withUser(claims, (tx): Promise<ListModelsResponse> => {
    const filter = tx`
      and deleted_at is null
      ${status ? tx`and status = ${status}` : tx``}
      ${jobId ? tx`and job_id = ${jobId}` : tx``}`;
    return listPage(tx, {
      table: 'public.model_artifacts',
      columns: ARTIFACT_COLUMNS,
      userId: claims.sub,
      filter,
      limit,
      offset,
      toItem: toArtifact,
    });
  });
  return ok(data);
}

async function getModel({ params, claims }: RouteContext): Promise<Response> {
  const id = pathId(params.id);
  const data = await withUser(claims, async (tx): Promise<ModelDetailResponse | undefined> => {
    const [row] = await tx`
      select ${tx.unsafe(ARTIFACT_COLUMNS)} from public.model_artifacts
       where id = ${id} and deleted_at is null`;
    if (!row) return undefined;
    const checkpoints = await tx`
      select ${tx.unsafe(CHECKPOINT_COLUMNS)} from public.checkpoints
       where job_id = ${row.job_id as string} order by step`;
    return { model: toArtifact(row), checkpoints: checkpoints.map(toCheckpoint) };
  });
  if (!data) throw new HttpError(404, 'Model not found');
  return ok(data);
}

/**
 * The object path of a file in lora-models. Paths are recorded either whole
 * (`<user>/<artifact>/<file>`) or relative to the artifact's folder; either way the result must
 * stay inside the caller's folder, so a bad row can never sign someone else's object.
 */
export function objectPathOf(userId: string, storagePath: string, file: ArtifactFile): string {
  const folder = storagePath.endsWith('/') ? storagePath : `${storagePath}/`;
  const path = file.path.startsWith(`${userId}/`) ? file.path : `${folder}${file.path}`;
  if (!path.startsWith(`${userId}/`) || path.split('/').some((s) => s === '..' || s === '')) {
    throw new Error(`Artifact file path outside the owner's folder: ${path}`);
  }
  return path;
}

async function downloadModel({ req, params, claims }: RouteContext): Promise<Response> {
  const id = pathId(params.id);
  const input = new BodyReader(await readJson(req), ['files'], { optional: true });
  const wanted = input.body.files;
  if (
    wanted !== undefined &&
    wanted !== null &&
    (!Array.isArray(wanted) || wanted.some((f) => typeof f !== 'string'))
  ) {
    input.issues.push({ field: 'files', message: 'files must be a list of file names' });
  }
  input.done();

  const model = await withUser(claims, async (tx) => {
    const [row] = await tx`
      select ${tx.unsafe(ARTIFACT_COLUMNS)} from public.model_artifacts
       where id = ${id} and deleted_at is null`;
    return row ? toArtifact(row) : undefined;
  });
  if (!model) throw new HttpError(404, 'Model not found');
  if (model.status !== 'ready') {
    throw new HttpError(409, `Model is not ready for download (status: ${model.status})`);
  }
  const available = Object.keys(model.files).sort();
  const names = Array.isArray(wanted) ? [...new Set(wanted as string[])] : available;
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length > 0) {
    throw new ValidationError(
      unknown.map((n) => ({
        field: 'files',
        message: `No file "${n}" in this model (files: ${available.join(', ')})`,
      })),
    );
  }

  const storage = storageFromEnv();
  const files: SignedDownload[] = await Promise.all(
    names.map(async (name) => {
      const file = model.files[name];
      const path = objectPathOf(claims.sub, model.storage_path, file);
      return {
        name,
        url: await storage.createSignedDownloadUrl(MODELS_BUCKET, path, DOWNLOAD_URL_TTL_SECONDS),
        path,
        size: Number(file.size),
        sha256: file.sha256 ?? null,
      };
    }),
  );
  return ok<DownloadResponse>({
    model_id: model.id,
    files,
    expires_in: DOWNLOAD_URL_TTL_SECONDS,
    expires_at: new Date(Date.now() + DOWNLOAD_URL_TTL_SECONDS * 1000).toISOString(),
  });
}

export const modelRoutes: readonly Route[] = [
  { method: 'GET', pattern: '/models', handle: listModels },
  { method: 'GET', pattern: '/models/:id', handle: getModel },
  { method: 'POST', pattern: '/models/:id/download', handle: downloadModel },
];
