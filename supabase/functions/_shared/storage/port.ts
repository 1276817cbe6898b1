// The storage port: what the functions need from object storage, with two adapters — hosted
// Supabase Storage (supabase-storage.ts) and a local file store for one machine
// (local-file-store.ts) whose signed URLs use the same paths as Supabase Storage.
import { db } from '../db.ts';
import { numberSetting, optionalEnv, requireEnv, supabaseUrl, ConfigError } from '../env.ts';
import { HOSTED_UPLOAD_URL_SECONDS, LocalFileStore } from './local-file-store.ts';
import { SupabaseStorage } from './supabase-storage.ts';

export { StorageError } from './errors.ts';

export interface StoredObject {
  size: number;
  contentType?: string;
}

export interface StoragePort {
  createSignedUploadUrl(bucket: string, path: string, expiresInSeconds: number): Promise<string>;
  createSignedDownloadUrl(bucket: string, path: string, expiresInSeconds: number): Promise<string>;
  stat(bucket: string, path: string): Promise<StoredObject | null>;
  /** Streams the object; `offset` lets a resumed validation continue where it stopped. */
  read(bucket: string, path: string, offset?: number): Promise<ReadableStream<Uint8Array>>;
  write(
    bucket: string,
    path: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    contentType: string,
  ): Promise<void>;
  remove(bucket: string, paths: string[]): Promise<void>;
  /** Which adapter this is (health output, logs). */
  readonly backend?: 'supabase' | 'local';
  /** Throws when the store is unreachable (GET /health). */
  check?(): Promise<void>;
}

let cached: { key: string; port: StoragePort } | undefined;

/**
 * The adapter the environment asks for: BRIGHTRUN_STORAGE=`local` (files under
 * BRIGHTRUN_STORAGE_DIR, URLs signed with BRIGHTRUN_JWT_SECRET) or `supabase` (the default;
 * SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY).
 */
export function storageFromEnv(): StoragePort {
  const kind = optionalEnv('BRIGHTRUN_STORAGE') ?? 'supabase';
  const key = `${kind}:${optionalEnv('BRIGHTRUN_STORAGE_DIR') ?? ''}`;
  if (cached?.key === key) return cached.port;
  let port: StoragePort;
  if (kind === 'local') {
    port = new LocalFileStore({
      rootDir: requireEnv('BRIGHTRUN_STORAGE_DIR'),
      secret: requireEnv('BRIGHTRUN_JWT_SECRET'),
      baseUrl: supabaseUrl,
      sql: db,
      // Tests shorten it to see a job outlive its first upload URLs.
      maxUploadSeconds: numberSetting(
        'BRIGHTRUN_STORAGE_UPLOAD_URL_MAX_SECONDS',
        HOSTED_UPLOAD_URL_SECONDS,
        1,
        HOSTED_UPLOAD_URL_SECONDS,
      ),
    });
  } else if (kind === 'supabase') {
    port = new SupabaseStorage({
      baseUrl: supabaseUrl,
      serviceKey: () => requireEnv('SUPABASE_SERVICE_ROLE_KEY'),
    });
  } else {
    throw new ConfigError(`BRIGHTRUN_STORAGE must be "supabase" or "local", not "${kind}"`);
  }
  cached = { key, port };
  return port;
}
