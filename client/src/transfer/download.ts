// Streams a signed download URL to a file with progress and cancellation, then checks its size
// (and sha256 when known). The file appears under its final name only when complete.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { BrightRunError } from '../api/api-error.ts';

export interface DownloadOptions {
  expectedSize?: number;
  expectedSha256?: string | null;
  onBytes?: (bytes: number) => void;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export interface DownloadResult {
  path: string;
  size: number;
  sha256: string;
}

export async function downloadFile(
  url: string,
  path: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw new BrightRunError('cancelled', 'Download cancelled.');
    throw new BrightRunError(
      'unreachable',
      `The download could not start (${error instanceof Error ? error.message : String(error)}). Check the connection and try again.`,
    );
  }
  if (!response.ok || !response.body) {
    throw new BrightRunError(
      'server',
      `The storage refused the download (HTTP ${response.status}). Signed download URLs last one hour: run "BrightRun: Download Model" again.`,
      response.status,
    );
  }
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.part`;
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      hash.update(chunk);
      options.onBytes?.(chunk.length);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
      meter,
      createWriteStream(partial),
      { signal: options.signal },
    );
  } catch (error) {
    await rm(partial, { force: true });
    if (options.signal?.aborted) throw new BrightRunError('cancelled', 'Download cancelled.');
    throw error;
  }
  const sha256 = hash.digest('hex');
  if (options.expectedSize !== undefined && size !== options.expectedSize) {
    await rm(partial, { force: true });
    throw new BrightRunError(
      'server',
      `${path}: received ${size} bytes but the model lists ${options.expectedSize}. The file was not kept; download it again.`,
    );
  }
  if (options.expectedSha256 && sha256 !== options.expectedSha256) {
    await rm(partial, { force: true });
    throw new BrightRunError(
      'server',
      `${path}: the checksum does not match the model's record. The file was not kept; download it again.`,
    );
  }
  await rename(partial, path);
  return { path, size, sha256 };
}
