// Streams a file to a signed upload URL with progress and cancellation. Pure Node (fetch with a
// streamed body), no `vscode`.
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { BrightRunError } from '../api/api-error.ts';

export interface UploadOptions {
  method?: string;
  headers?: Record<string, string>;
  contentType?: string;
  onBytes?: (bytes: number) => void;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export async function uploadFile(
  url: string,
  path: string,
  options: UploadOptions = {},
): Promise<void> {
  if (options.signal?.aborted) throw new BrightRunError('cancelled', 'Upload cancelled.');
  const size = statSync(path).size;
  const stream = createReadStream(path, { highWaterMark: 1 << 20, signal: options.signal });
  // An abort while sending surfaces through fetch; the stream's own error must not go unheard.
  stream.on('error', () => undefined);
  stream.on('data', (chunk) => options.onBytes?.(chunk.length));
  // The signed upload's own headers win (case-insensitively) over the default content type.
  const headers = new Headers({ 'Content-Type': options.contentType ?? 'application/jsonl' });
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  headers.set('Content-Length', String(size));
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: options.method ?? 'PUT',
      headers,
      body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
      signal: options.signal,
      // Node's fetch needs this to send a streamed body.
      duplex: 'half',
    } as RequestInit);
  } catch (error) {
    if (options.signal?.aborted) throw new BrightRunError('cancelled', 'Upload cancelled.');
    throw new BrightRunError(
      'unreachable',
      `The upload could not be sent (${error instanceof Error ? error.message : String(error)}). Check the connection and try again.`,
    );
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw new BrightRunError(
      response.status === 413 ? 'too-large' : 'server',
      `The storage rejected the upload (HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}). Try the upload again; signed upload URLs expire after a while.`,
      response.status,
    );
  }
  await response.body?.cancel();
}
