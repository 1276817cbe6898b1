// The local file store: objects are files under `<rootDir>/<bucket>/<path>`, and each write
// upserts the `storage.objects` row (bucket_id, name, owner, metadata {size, mimetype}) the way
// Supabase's Storage server does, so SQL that checks for an upload (complete_dataset_upload)
// behaves the same locally and hosted. Signed URLs point at the local HTTP server
// (`/storage/v1/object/...`), which verifies their tokens with signed-url-token.ts and streams
// through this class. Buckets' size limits and MIME types are enforced on write, as hosted.
import { dirname, join } from 'node:path';
import type { Sql } from '../db.ts';
import { StorageError } from './errors.ts';
import { checkObjectPath } from './object-path.ts';
import type { StoragePort, StoredObject } from './port.ts';
import { signedUrl, signStorageToken } from './signed-url-token.ts';

export interface LocalFileStoreOptions {
  /** The folder holding one sub-folder per bucket. */
  rootDir: string;
  /** HS256 secret of the signed URL tokens (BRIGHTRUN_JWT_SECRET). */
  secret: string;
  /** The base URL the signed URLs point at (SUPABASE_URL), read when a URL is made. */
  baseUrl: string | (() => string);
  /** The database holding `storage.buckets` and `storage.objects` (a pool is itself a
   * function, so it is passed as a getter: `() => pool`). */
  sql: () => Sql;
  /**
   * The longest life an upload URL gets, whatever is asked: hosted Storage signs them for two
   * hours (7200 s), and so does this store by default, so the local stack meets the same limit.
   */
  maxUploadSeconds?: number;
}

/** Hosted Supabase Storage's fixed lifetime of a signed upload URL. */
export const HOSTED_UPLOAD_URL_SECONDS = 7200;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface BucketRules {
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
}

function mimeAllowed(contentType: string, allowed: string[] | null): boolean {
  if (allowed === null || allowed.length === 0) return true;
  const mime = contentType.split(';')[0].trim().toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.endsWith('/*') ? mime.startsWith(p.slice(0, -1)) : mime === p;
  });
}

export class LocalFileStore implements StoragePort {
  readonly backend = 'local' as const;
  readonly #options: LocalFileStoreOptions;

  constructor(options: LocalFileStoreOptions) {
    this.#options = options;
  }

  get rootDir(): string {
    return this.#options.rootDir;
  }

  #sql(): Sql {
    return this.#options.sql();
  }

  #baseUrl(): string {
    const { baseUrl } = this.#options;
    return typeof baseUrl === 'function' ? baseUrl() : baseUrl;
  }

  /** The file of an object (after checking the names cannot leave the bucket's folder). */
  filePath(bucket: string, path: string): string {
    checkObjectPath(bucket, path);
    return join(this.#options.rootDir, bucket, ...path.split('/'));
  }

  async createSignedUploadUrl(
    bucket: string,
    path: string,
    expiresInSeconds: number,
  ): Promise<string> {
    const seconds = Math.min(
      expiresInSeconds,
      this.#options.maxUploadSeconds ?? HOSTED_UPLOAD_URL_SECONDS,
    );
    // No upsert, as Supabase's default: once an upload succeeded, the URL cannot replace it.
    const token = await signStorageToken(this.#options.secret, bucket, path, seconds, {
      upsert: false,
    });
    return signedUrl(this.#baseUrl(), 'upload', bucket, path, token);
  }

  async createSignedDownloadUrl(
    bucket: string,
    path: string,
    expiresInSeconds: number,
  ): Promise<string> {
    const token = await signStorageToken(this.#options.secret, bucket, path, expiresInSeconds);
    return signedUrl(this.#baseUrl(), 'download', bucket, path, token);
  }

  async stat(bucket: string, path: string): Promise<StoredObject | null> {
    const file = this.filePath(bucket, path);
    let size: number;
    try {
      const info = await Deno.stat(file);
      if (!info.isFile) return null;
      size = info.size;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
    const [row] = await this.#sql()<{ mimetype: string | null }[]>`
      select metadata ->> 'mimetype' as mimetype from storage.objects
       where bucket_id = ${bucket} and name = ${path}`;
    return row?.mimetype ? { size, contentType: row.mimetype } : { size };
  }

  async read(bucket: string, path: string, offset = 0): Promise<ReadableStream<Uint8Array>> {
    const file = this.filePath(bucket, path);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new StorageError(400, 'offset must be a non-negative integer');
    }
    let handle: Deno.FsFile;
    try {
      handle = await Deno.open(file, { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new StorageError(404, `Object not found: ${bucket}/${path}`);
      }
      throw error;
    }
    if (offset > 0) await handle.seek(offset, Deno.SeekMode.Start);
    // The stream closes the file when it is read to the end or cancelled.
    return handle.readable;
  }

  async write(
    bucket: string,
    path: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    contentType: string,
  ): Promise<void> {
    const file = this.filePath(bucket, path);
    const sql = this.#sql();
    const [rules] = await sql<BucketRules[]>`
      select file_size_limit, allowed_mime_types from storage.buckets where id = ${bucket}`;
    if (!rules) throw new StorageError(404, `Bucket not found: ${bucket}`);
    if (!mimeAllowed(contentType, rules.allowed_mime_types)) {
      throw new StorageError(415, `mime type ${contentType} is not supported by bucket ${bucket}`);
    }
    const limit = rules.file_size_limit ?? Number.POSITIVE_INFINITY;

    // Write beside the target, then rename: a reader never sees half a file, and a failed
    // upload leaves no object behind.
    await Deno.mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${crypto.randomUUID()}.partial`;
    let size = 0;
    try {
      const out = await Deno.open(temp, { write: true, createNew: true });
      try {
        const chunks: AsyncIterable<Uint8Array> | Uint8Array[] =
          body instanceof Uint8Array ? [body] : body;
        for await (const chunk of chunks) {
          size += chunk.byteLength;
          if (size > limit) {
            throw new StorageError(
              413,
              `The object exceeded the maximum allowed size of ${limit} bytes for bucket ${bucket}`,
            );
          }
          let written = 0;
          while (written < chunk.byteLength) written += await out.write(chunk.subarray(written));
        }
      } finally {
        out.close();
      }
      await Deno.rename(temp, file);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }

    const first = path.split('/')[0];
    const owner = UUID.test(first) ? first : null;
    const metadata = {
      size,
      mimetype: contentType,
      contentLength: size,
      cacheControl: 'max-age=3600',
      lastModified: new Date().toISOString(),
      httpStatusCode: 200,
    };
    await sql`
      insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
      values (${bucket}, ${path}, ${owner}, ${owner}, ${sql.json(metadata)})
      on conflict (bucket_id, name) do update
        set owner = excluded.owner, owner_id = excluded.owner_id, metadata = excluded.metadata,
            updated_at = now(), last_accessed_at = now()`;
  }

  async remove(bucket: string, paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    for (const path of paths) {
      await Deno.remove(this.filePath(bucket, path)).catch((error: unknown) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
    await this.#sql()`
      delete from storage.objects where bucket_id = ${bucket} and name = any(${paths}::text[])`;
  }

  async check(): Promise<void> {
    await Deno.mkdir(this.#options.rootDir, { recursive: true });
    const probe = join(this.#options.rootDir, `.health-${crypto.randomUUID()}`);
    await Deno.writeTextFile(probe, 'ok');
    await Deno.remove(probe);
  }
}
