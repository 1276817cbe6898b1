import { randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  CancelResponse,
  RunResponse,
  StreamResponse,
} from '../../common/gpu-cluster/contract.ts';
import { isAuthorized } from './auth.ts';
import { ClusterJob } from './cluster-job.ts';
import type { JobRunner } from './job-runner.ts';
import { parseRunRequest } from './run-request.ts';

const MAX_BODY_BYTES = 1024 * 1024;

export interface RouterOptions {
  apiKey: string;
  runner: JobRunner;
  /** The public base URL, used to build `model_files` URLs. */
  baseUrl: () => string;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'The request body is larger than 1 MB');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON');
  }
}

/**
 * The routes of architecture.md §5, plus `GET /files/{id}/{name}` for the files a job wrote.
 * Every route needs the bearer key; the handlers only parse, call the runner and shape answers.
 */
export function createRouter(options: RouterOptions) {
  const jobs = new Map<string, ClusterJob>();

  function findJob(id: string): ClusterJob {
    const job = jobs.get(id);
    if (job === undefined) throw new HttpError(404, `No job with id ${id}`);
    return job;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isAuthorized(req.headers.authorization, options.apiKey)) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new HttpError(401, 'Unauthorized: send Authorization: Bearer <GPU_CLUSTER_API_KEY>');
    }
    const url = new URL(req.url ?? '/', 'http://cluster');
    let parts: string[];
    try {
      parts = url.pathname
        .split('/')
        .filter((p) => p !== '')
        .map(decodeURIComponent);
    } catch {
      throw new HttpError(400, `The path ${url.pathname} is not valid percent-encoding`);
    }
    const method = req.method ?? 'GET';
    const [head, id] = parts;

    if (method === 'GET' && parts.length === 1 && head === 'health') {
      send(res, 200, options.runner.health());
      return;
    }
    if (method === 'POST' && parts.length === 1 && head === 'run') {
      const parsed = parseRunRequest(await readJson(req));
      if (!parsed.ok) throw new HttpError(400, parsed.message);
      const jobId = randomUUID();
      const job = new ClusterJob(
        jobId,
        parsed.value,
        (name) =>
          `${options.baseUrl()}/files/${jobId}/${name.split('/').map(encodeURIComponent).join('/')}`,
      );
      jobs.set(jobId, job);
      options.runner.submit(job);
      const body: RunResponse = { id: jobId, status: 'IN_QUEUE' };
      send(res, 200, body);
      return;
    }
    if (method === 'GET' && parts.length === 2 && head === 'status') {
      send(res, 200, findJob(id).statusResponse());
      return;
    }
    if (method === 'GET' && parts.length === 2 && head === 'stream') {
      const job = findJob(id);
      const body: StreamResponse = {
        status: job.status,
        stream: job.takeStream().map((point) => ({ output: point })),
      };
      send(res, 200, body);
      return;
    }
    if (method === 'POST' && parts.length === 2 && head === 'cancel') {
      const job = findJob(id);
      options.runner.cancel(job);
      const body: CancelResponse = { id: job.id, status: job.status };
      send(res, 200, body);
      return;
    }
    if (method === 'GET' && parts.length >= 3 && head === 'files') {
      const name = parts.slice(2).join('/');
      const path = findJob(id).files.get(name);
      if (path === undefined) throw new HttpError(404, `Job ${id} has no file ${name}`);
      const size = statSync(path).size;
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': size,
      });
      await new Promise<void>((resolve, reject) => {
        createReadStream(path).on('error', reject).pipe(res).on('finish', resolve);
      });
      return;
    }
    throw new HttpError(404, `No route ${method} ${url.pathname}`);
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await route(req, res);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) send(res, error.status, { error: error.message });
      else send(res, 500, { error: `Internal error: ${String(error)}` });
    }
  };
}
