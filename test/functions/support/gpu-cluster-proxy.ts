// A transparent HTTP proxy in front of the real local GPU cluster, for the pipeline tests: it
// counts `POST /run` calls per BrightRun job id (so a test can prove a job was submitted once)
// and can take the cluster off the network (`down()` closes the port: connections are refused,
// exactly what the processor sees when the provider is unreachable). Everything else passes
// through untouched, except that the cluster's own address in answers (model_files URLs) is
// replaced by the proxy's, so every call the functions make goes through here.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GpuClusterProxy {
  url: string;
  /** `POST /run` calls that reached the proxy, by `input.job_id` (refused ones excluded). */
  runCalls(jobId: string): number;
  /** The cluster's external ids handed out per job id, in order. */
  externalIds(jobId: string): string[];
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startGpuClusterProxy(targetUrl: string): Promise<GpuClusterProxy> {
  const target = new URL(targetUrl);
  const runs = new Map<string, number>();
  const ids = new Map<string, string[]>();
  let base = '';

  const handle = (server: Server) =>
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        let jobId: string | undefined;
        if (req.method === 'POST' && req.url === '/run') {
          try {
            jobId = (JSON.parse(body.toString('utf8')) as { input?: { job_id?: string } }).input
              ?.job_id;
          } catch {
            jobId = undefined;
          }
          if (jobId !== undefined) runs.set(jobId, (runs.get(jobId) ?? 0) + 1);
        }
        const upstream = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: target.host },
          },
          (up) => {
            const type = String(up.headers['content-type'] ?? '');
            if (!type.includes('json')) {
              res.writeHead(up.statusCode ?? 502, up.headers);
              up.pipe(res);
              return;
            }
            const parts: Buffer[] = [];
            up.on('data', (c: Buffer) => parts.push(c));
            up.on('end', () => {
              const text = Buffer.concat(parts).toString('utf8').split(target.origin).join(base);
              if (jobId !== undefined && up.statusCode === 200) {
                const id = (JSON.parse(text) as { id?: string }).id;
                if (id) ids.set(jobId, [...(ids.get(jobId) ?? []), id]);
              }
              const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(text)) };
              res.writeHead(up.statusCode ?? 502, headers);
              res.end(text);
            });
          },
        );
        upstream.on('error', (error) => {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: `proxy: ${error.message}` }));
        });
        upstream.end(body);
      });
    });

  let server = handle(createServer());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  let isUp = true;

  const stop = async () => {
    if (!isUp) return;
    isUp = false;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };

  return {
    url: base,
    runCalls: (jobId) => runs.get(jobId) ?? 0,
    externalIds: (jobId) => ids.get(jobId) ?? [],
    down: stop,
    async up() {
      if (isUp) return;
      server = handle(createServer());
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      isUp = true;
    },
    close: stop,
  };
}
