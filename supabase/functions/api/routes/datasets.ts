// Datasets: create (+ signed upload URL), complete the upload, list, detail, soft delete.
// Writes go through the SECURITY DEFINER functions; reads run as the user, so another user's
// dataset is simply not there (404).
import type {
  CreateDatasetResponse,
  DatasetResponse,
  DatasetStatus,
  ListDatasetsResponse,
} from '../../../../common/api/types.ts';
import { withUser } from '../../_shared/db.ts';
import { HttpError, ok, readJson } from '../../_shared/http.ts';
import { storageFromEnv } from '../../_shared/storage/port.ts';
import { wakeFunction } from '../../_shared/wake.ts';
import { DATASET_COLUMNS, DATASET_SUMMARY_COLUMNS, toDataset, toDatasetSummary } from '../rows.ts';
import type { Route, RouteContext } from '../router.ts';
import { listPage } from '../paging.ts';
import { BodyReader, QueryReader, pathId } from '../validate.ts';

export const DATASETS_BUCKET = 'lora-datasets';
/** Signed upload URLs live two hours, as Supabase Storage's do. */
export const UPLOAD_URL_TTL_SECONDS = 7200;
export const MAX_DATASET_BYTES = 524_288_000;

const LISTABLE: readonly Exclude<DatasetStatus, 'deleted'>[] = [
  'uploading',
  'validating',
  'ready',
  'failed',
];

/** The content type the upload must carry (one the bucket accepts). */
export function uploadContentType(fileName: string): string {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.jsonl')) return 'application/jsonl';
  if (lower.endsWith('.json')) return 'application/json';
  return 'text/plain';
}

async function createDataset({ req, claims }: RouteContext): Promise<Response> {
  const input = new BodyReader(await readJson(req), [
    'name',
    'file_name',
    'file_size',
    'sha256',
    'description',
  ]);
  const name = input.string('name', { required: true, max: 200 });
  const fileName = input.string('file_name', { required: true, max: 255 });
  const fileSize = input.integer('file_size', {
    required: true,
    min: 1,
    max: MAX_DATASET_BYTES,
    unit: 'bytes (500 MB)',
  });
  const sha256 = input.string('sha256', { required: true });
  if (sha256 && !/^[0-9a-fA-F]{64}$/.test(sha256)) {
    input.issues.push({ field: 'sha256', message: 'sha256 must be 64 hexadecimal characters' });
  }
  const description = input.string('description', { max: 2000 });
  input.done();

  const storage = storageFromEnv();
  const data = await withUser(claims, async (tx): Promise<CreateDatasetResponse> => {
    const [row] = await tx`
      select ${tx.unsafe(DATASET_COLUMNS)}
        from public.create_dataset(${name}, ${fileName}, ${fileSize}, ${sha256.toLowerCase()},
                                   ${description})`;
    const dataset = toDataset(row);
    // Signed inside the transaction: if signing fails, no dataset is left waiting for a file.
    const url = await storage.createSignedUploadUrl(
      DATASETS_BUCKET,
      dataset.storage_path,
      UPLOAD_URL_TTL_SECONDS,
    );
    return {
      dataset,
      presigned_upload_url: url,
      upload: {
        url,
        method: 'PUT',
        bucket: DATASETS_BUCKET,
        path: dataset.storage_path,
        expires_in: UPLOAD_URL_TTL_SECONDS,
        expires_at: new Date(Date.now() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString(),
        headers: { 'content-type': uploadContentType(dataset.file_name) },
      },
    };
  });
  return ok(data, 201);
}

async function completeUpload({ params, claims }: RouteContext): Promise<Response> {
  const id = pathId(params.id);
  const dataset = await withUser(claims, async (tx) => {
    const [row] = await tx`
      select ${tx.unsafe(DATASET_COLUMNS)} from public.complete_dataset_upload(${id})`;
    return toDataset(row);
  });
  wakeFunction('validate-datasets', { dataset_id: dataset.id });
  return ok<DatasetResponse>({ dataset });
}

async function listDatasets({ url, claims }: RouteContext): Promise<Response> {
  const query = new QueryReader(url.searchParams, ['limit', 'offset', 'status']);
  const { limit, offset } = query.page();
  const status = query.oneOf('status', LISTABLE);
  query.done();

  const data = await withUser(claims, (tx): Promise<ListDatasetsResponse> => {
    const filter = tx`and deleted_at is null ${status ? tx`and status = ${status}` : tx``}`;
    return listPage(tx, {
      table: 'public.datasets',
      columns: DATASET_SUMMARY_COLUMNS,
      userId: claims.sub,
      filter,
      limit,
      offset,
      toItem: toDatasetSummary,
    });
  });
  return ok(data);
}

async function getDataset({ params, claims }: RouteContext): Promise<Response> {
  const id = pathId(params.id);
  const dataset = await withUser(claims, async (tx) => {
    const [row] = await tx`
      select ${tx.unsafe(DATASET_COLUMNS)} from public.datasets
       where id = ${id} and deleted_at is null`;
    return row ? toDataset(row) : undefined;
  });
  if (!dataset) throw new HttpError(404, 'Dataset not found');
  return ok<DatasetResponse>({ dataset });
}

async function deleteDataset({ params, claims }: RouteContext): Promise<Response> {
  const id = pathId(params.id);
  const dataset = await withUser(claims, async (tx) => {
    const [row] = await tx`select ${tx.unsafe(DATASET_COLUMNS)} from public.delete_dataset(${id})`;
    return toDataset(row);
  });
  return ok<DatasetResponse>({ dataset });
}

export const datasetRoutes: readonly Route[] = [
  { method: 'POST', pattern: '/datasets', handle: createDataset },
  { method: 'GET', pattern: '/datasets', handle: listDatasets },
  { method: 'GET', pattern: '/datasets/:id', handle: getDataset },
  { method: 'DELETE', pattern: '/datasets/:id', handle: deleteDataset },
  { method: 'POST', pattern: '/datasets/:id/complete', handle: completeUpload },
];
