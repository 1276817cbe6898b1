// Hosted Supabase Storage through its REST API, authorised with the service role key.
// Signed upload URLs are valid for two hours whatever `expiresInSeconds` says (a Storage rule);
// signed download URLs honour it.
import { StorageError } from './errors.ts';
import { checkObjectPath } from './object-path.ts';
import type { StoragePort, StoredObject } from './port.ts';
import { encodeObjectPath } from './signed-url-token.ts';

export interface SupabaseStorageOptions {
  baseUrl: string | (() => string);
  serviceKey: string | (() => string);
  /** Per-request timeout for metadata calls (ms); transfers have none. */
  timeoutMs?: number;
}

const value = (v: string | (() => string)) => (typeof v === 'function' ? v() : v);

export class SupabaseStorage implements StoragePort {
  readonly backend = 'supabase' as const;
  readonly #options: SupabaseStorageOptions;

  constructor(options: SupabaseStorageOptions) {
    this.#options = options;
  }

  #url(route: string, bucket: string, path?: string): string {
    if (path !== undefined) checkObjectPath(bucket, path);
    const base = value(this.#options.baseUrl).replace(/\/+$/, '');
    const object = path === undefined ? '' : `/${encodeObjectPath(path)}`;
    return `${base}/storage/v1/${route}/${encodeURIComponent(bucket)}${object}`;
  }

  #headers(extra: Record<string, string> = {}): Headers {
    const key = value(this.#options.serviceKey);
    return new Headers({ authorization: `Bearer ${key}`, apikey: key, ...extra });
  }

  #signal(): AbortSignal {
    return AbortSignal.timeout(this.#options.timeoutMs ?? 15_000);
  }

  async #fail(response: Response, what: string): Promise<never> {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { message?: string; error?: string };
      message = body.message ?? body.error ?? message;
    } catch {
      // Not JSON: keep the status line.
    }
    const status = response.status === 404 || response.status === 409 ? response.status : 502;
    throw new StorageError(status, `Storage ${what} failed: ${message}`);
  }

  async createSignedUploadUrl(
    bucket: string,
    path: string,
    _expiresInSeconds: number,
  ): Promise<string> {
    const response = await fetch(this.#url('object/upload/sign', bucket, path), {
      method: 'POST',
      headers: this.#headers({ 'x-upsert': 'false' }),
      signal: this.#signal(),
    });
    if (!response.ok) await this.#fail(response, 'signing an upload URL');
    const body = (await response.json()) as { url: string };
    return `${value(this.#options.baseUrl).replace(/\/+$/, '')}/storage/v1${body.url}`;
  }

  async createSignedDownloadUrl(
    bucket: string,
    path: string,
    expiresInSeconds: number,
  ): Promise<string> {
    const response = await fetch(this.#url('object/sign', bucket, path), {
      method: 'POST',
      headers: this.#headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ expiresIn: expiresInSeconds }),
      signal: this.#signal(),
    });
    if (!response.ok) await this.#fail(response, 'signing a download URL');
    const body = (await response.json()) as { signedURL: string };
    return `${value(this.#options.baseUrl).replace(/\/+$/, '')}/storage/v1${body.signedURL}`;
  }

  async stat(bucket: string, path: string): Promise<StoredObject | null> {
    const response = await fetch(this.#url('object/authenticated', bucket, path), {
      method: 'HEAD',
      headers: this.#headers(),
      signal: this.#signal(),
    });
    // Storage answers 400 for a missing object on some versions, 404 on others.
    if (response.status === 404 || response.status === 400) return null;
    if (!response.ok) await this.#fail(response, 'reading object info');
    const size = Number(response.headers.get('content-length') ?? NaN);
    const contentType = response.headers.get('content-type') ?? undefined;
    return {
      size: Number.isFinite(size) ? size : 0,
      ...(contentType ? { contentType } : {}),
    };
  }

  async read(bucket: string, path: string, offset = 0): Promise<ReadableStream<Uint8Array>> {
    const headers = this.#headers(offset > 0 ? { range: `bytes=${offset}-` } : {});
    const response = await fetch(this.#url('object/authenticated', bucket, path), { headers });
    if (response.status === 404 || response.status === 400) {
      await response.body?.cancel();
      throw new StorageError(404, `Object not found: ${bucket}/${path}`);
    }
    if (!response.ok) await this.#fail(response, 'download');
    if (offset > 0 && response.status !== 206) {
      await response.body?.cancel();
      throw new StorageError(502, 'Storage ignored the byte range of a resumed read');
    }
    if (!response.body) throw new StorageError(502, 'Storage returned no body');
    return response.body;
  }

  async write(
    bucket: string,
    path: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    contentType: string,
  ): Promise<void> {
    const response = await fetch(this.#url('object', bucket, path), {
      method: 'POST',
      headers: this.#headers({ 'content-type': contentType, 'x-upsert': 'true' }),
      body,
      // Required by fetch to stream a request body.
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
    if (!response.ok) await this.#fail(response, 'upload');
    await response.body?.cancel();
  }

  async remove(bucket: string, paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    for (const path of paths) checkObjectPath(bucket, path);
    const response = await fetch(this.#url('object', bucket), {
      method: 'DELETE',
      headers: this.#headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ prefixes: paths }),
      signal: this.#signal(),
    });
    if (!response.ok) await this.#fail(response, 'delete');
    await response.body?.cancel();
  }

  async check(): Promise<void> {
    const base = value(this.#options.baseUrl).replace(/\/+$/, '');
    const response = await fetch(`${base}/storage/v1/bucket`, {
      headers: this.#headers(),
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5_000),
    });
    if (!response.ok) await this.#fail(response, 'health check');
    await response.body?.cancel();
  }
}
