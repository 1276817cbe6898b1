// The local stack's HTTP front door (Deno): one process on 127.0.0.1 that plays the parts of a
// hosted project's Edge Runtime and Storage API for BrightRun's own functions.
//
//   /functions/v1/<name>[/...]                         → supabase/functions/<name>/handler.ts
//   PUT|POST /storage/v1/object/upload/sign/<b>/<p>    → the local file store (signed upload)
//   GET|HEAD /storage/v1/object/sign/<b>/<p>           → the local file store (signed download)
//   GET /health                                        → the gateway itself
//
// Handlers are imported directly (no process per function): a function whose handler.ts does
// not exist answers 404 and one that fails to load answers 500 with the reason — neither stops
// the others. Started by server/src/local/start-gateway.ts, which passes the backend runtime
// contract's environment and reads our stdout: JSON lines, the first `{"event":"ready"}`, then
// one line per request, and `{"event":"wake"}` lines for the scheduler (see handleWake).
// The gateway exits on SIGINT/SIGTERM and when its stdin closes (the launcher died).

type Handler = (req: Request) => Promise<Response>;

// Types only: the modules themselves are imported lazily, so a broken store cannot stop the
// functions from being served.
type StoragePort = Pick<
  import('../functions/_shared/storage/port.ts').StoragePort,
  'stat' | 'read' | 'write'
>;
type TokenModule = Pick<
  typeof import('../functions/_shared/storage/signed-url-token.ts'),
  'verifyStorageToken' | 'parseSignedUrlPath'
>;

interface Bucket {
  id: string;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
}

const FUNCTIONS_DIR = new URL('../functions/', import.meta.url);
const BACKGROUND = new Set([
  'validate-datasets',
  'process-training-jobs',
  'create-model-artifacts',
]);
const SCHEDULER_HEADER = 'x-brightrun-scheduler';
const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,62}$/;

function env(name: string): string {
  return Deno.env.get(name) ?? '';
}

function log(fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ ts: new Date().toISOString(), component: 'gateway', ...fields }));
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** Storage API errors look like Supabase Storage's: `{statusCode, error, message}`. */
function storageError(status: number, error: string, message: string): Response {
  return json(status, { statusCode: String(status), error, message });
}

// Functions ---------------------------------------------------------------------------------

interface Loaded {
  handler?: Handler;
  error?: string;
}

const loaded = new Map<string, Loaded>();

async function exists(url: URL): Promise<boolean> {
  try {
    return (await Deno.stat(url)).isFile;
  } catch {
    return false;
  }
}

/** The function's handler; undefined when the function does not exist (404). */
async function loadFunction(name: string): Promise<Loaded | undefined> {
  const known = loaded.get(name);
  if (known) return known;
  const url = new URL(`${name}/handler.ts`, FUNCTIONS_DIR);
  // Checked on every call until it exists, so a function added while the stack runs appears.
  if (!(await exists(url))) return undefined;
  let result: Loaded;
  try {
    const mod = (await import(url.href)) as { handler?: unknown; default?: unknown };
    const handler = typeof mod.handler === 'function' ? mod.handler : mod.default;
    result =
      typeof handler === 'function'
        ? { handler: handler as Handler }
        : { error: `${name}/handler.ts does not export a function named handler` };
  } catch (error) {
    result = { error: `${name}/handler.ts failed to load: ${String(error)}` };
  }
  if (result.error)
    log({ level: 'error', event: 'load_failed', function: name, error: result.error });
  loaded.set(name, result);
  return result;
}

/** Names of the folders under supabase/functions that hold a handler.ts. */
async function functionNames(): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(FUNCTIONS_DIR)) {
      if (entry.isDirectory && FUNCTION_NAME.test(entry.name)) {
        if (await exists(new URL(`${entry.name}/handler.ts`, FUNCTIONS_DIR)))
          names.push(entry.name);
      }
    }
  } catch {
    // No functions folder yet: the gateway still serves storage.
  }
  return names.sort();
}

/**
 * A wake call (the api after `complete` or job creation, a function after finishing a stage)
 * is a POST with the service key from anyone but the scheduler. With the scheduler attached
 * (BRIGHTRUN_GATEWAY_WAKE=stdout) the gateway hands it to the scheduler instead of running the
 * handler beside a scheduled run, so runs of one function never overlap; the caller gets 202 at
 * once. Calls without the service key go to the handler, which refuses them.
 */
function handleWake(name: string, req: Request): Response | undefined {
  if (env('BRIGHTRUN_GATEWAY_WAKE') !== 'stdout') return undefined;
  if (!BACKGROUND.has(name) || req.method !== 'POST') return undefined;
  const schedulerToken = env('BRIGHTRUN_SCHEDULER_TOKEN');
  if (schedulerToken !== '' && req.headers.get(SCHEDULER_HEADER) === schedulerToken) {
    return undefined;
  }
  const serviceKey = env('SUPABASE_SERVICE_ROLE_KEY');
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.get('authorization') ?? '')?.[1]?.trim();
  if (serviceKey === '' || bearer !== serviceKey) return undefined;
  console.log(JSON.stringify({ event: 'wake', function: name }));
  return json(202, { success: true, data: { function: name, scheduled: true } });
}

async function routeFunction(name: string, req: Request): Promise<Response> {
  if (!FUNCTION_NAME.test(name)) return json(404, { error: `No function named "${name}"` });
  const fn = await loadFunction(name);
  if (!fn) return json(404, { error: `No function named "${name}"` });
  if (!fn.handler) return json(500, { error: fn.error ?? `Function ${name} failed to load` });
  const woken = handleWake(name, req);
  if (woken) return woken;
  // Our own header never reaches a handler.
  const headers = new Headers(req.headers);
  headers.delete(SCHEDULER_HEADER);
  return await fn.handler(new Request(req, { headers }));
}

// Storage -----------------------------------------------------------------------------------

let storageModules:
  | Promise<{
      store: StoragePort;
      tokens: TokenModule;
      buckets: (id: string) => Promise<Bucket | undefined>;
    }>
  | undefined;

/** D's storage port, token module and database access, loaded on first use. */
function storage() {
  storageModules ??= (async () => {
    const shared = new URL('_shared/', FUNCTIONS_DIR);
    const [port, tokens, db] = await Promise.all([
      import(new URL('storage/port.ts', shared).href) as Promise<{ storageFromEnv(): StoragePort }>,
      import(new URL('storage/signed-url-token.ts', shared).href) as Promise<TokenModule>,
      import(new URL('db.ts', shared).href) as Promise<{
        withServiceRole<T>(
          fn: (
            tx: (strings: TemplateStringsArray, ...values: unknown[]) => Promise<T>,
          ) => Promise<T>,
        ): Promise<T>;
      }>,
    ]);
    const buckets = async (id: string): Promise<Bucket | undefined> => {
      const rows = (await db.withServiceRole(
        (tx) =>
          tx`select id, file_size_limit, allowed_mime_types from storage.buckets where id = ${id}`,
      )) as unknown as Bucket[];
      return rows[0];
    };
    return { store: port.storageFromEnv(), tokens, buckets };
  })();
  return storageModules;
}

/** `type/subtype` without parameters, lower case. */
function mimeOf(contentType: string | null): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** A StorageError from the file store carries the status to answer with (413, 415, 404...). */
function storageFailure(error: unknown): Response | undefined {
  const e = error as { name?: string; status?: unknown; message?: string };
  if (e?.name !== 'StorageError' || typeof e.status !== 'number') return undefined;
  const names: Record<number, string> = {
    404: 'not_found',
    409: 'Duplicate',
    413: 'Payload too large',
    415: 'invalid_mime_type',
  };
  return storageError(e.status, names[e.status] ?? 'Storage error', e.message ?? 'Storage error');
}

/** Keeps the first `count` bytes and ends (a closed Range request). */
function takeBytes(count: number): TransformStream<Uint8Array, Uint8Array> {
  let left = count;
  return new TransformStream({
    transform(chunk, controller) {
      if (left <= 0) return;
      const part = chunk.byteLength > left ? chunk.subarray(0, left) : chunk;
      left -= part.byteLength;
      controller.enqueue(part);
      if (left <= 0) controller.terminate();
    },
  });
}

async function checkToken(
  tokens: TokenModule,
  token: string | null,
  bucket: string,
  path: string,
): Promise<{ upsert?: boolean } | Response> {
  if (!token) return storageError(400, 'InvalidJWT', 'The signed URL has no token');
  try {
    return await tokens.verifyStorageToken(env('BRIGHTRUN_JWT_SECRET'), token, bucket, path);
  } catch (error) {
    const reason = (error as { reason?: string }).reason;
    const message = error instanceof Error ? error.message : String(error);
    // Supabase answers 400 InvalidJWT for bad and expired tokens alike.
    return storageError(400, 'InvalidJWT', reason ? message : 'The signed URL token is invalid');
  }
}

async function upload(
  req: Request,
  bucket: string,
  path: string,
  token: string | null,
): Promise<Response> {
  const { store, tokens, buckets } = await storage();
  const claims = await checkToken(tokens, token, bucket, path);
  if (claims instanceof Response) return claims;
  const config = await buckets(bucket);
  if (!config) return storageError(404, 'Bucket not found', `Bucket ${bucket} does not exist`);
  const limit = config.file_size_limit ?? Number.MAX_SAFE_INTEGER;
  const tooLarge = () =>
    storageError(
      413,
      'Payload too large',
      `The object exceeds the bucket's limit of ${limit} bytes`,
    );
  // Refuse a declared oversize body before reading a byte of it. The file store counts the
  // bytes it streams as well, so a body without (or lying about) its length is stopped too.
  const declared = Number(req.headers.get('content-length') ?? 0);

  let body: ReadableStream<Uint8Array> | Uint8Array;
  let mime = mimeOf(req.headers.get('content-type'));
  if (mime === 'multipart/form-data') {
    // supabase-js sends Blobs as a form (field "" holds the file). Forms are parsed in memory,
    // so only raw PUT/POST bodies (the extension's and the functions' uploads) stream.
    if (declared > limit + 64 * 1024) return tooLarge();
    const form = await req.formData();
    const file = [...form.values()].find((v): v is File => v instanceof File);
    if (!file) return storageError(400, 'Invalid request', 'The form holds no file');
    if (file.size > limit) return tooLarge();
    mime = mimeOf(file.type) || 'application/octet-stream';
    body = file.stream();
  } else {
    if (declared > limit) return tooLarge();
    body = req.body ?? new Uint8Array(0);
    mime ||= 'application/octet-stream';
  }
  if (claims.upsert !== true && (await store.stat(bucket, path)) !== null) {
    return storageError(409, 'Duplicate', 'The resource already exists');
  }
  try {
    // Streams to a temp file beside the object and renames it: no half objects, and the
    // bucket's size and MIME rules are checked by the store (StorageError 413/415).
    await store.write(bucket, path, body, mime);
  } catch (error) {
    const failure = storageFailure(error);
    if (failure) return failure;
    throw error;
  }
  return json(200, { Key: `${bucket}/${path}` });
}

async function download(
  req: Request,
  bucket: string,
  path: string,
  token: string | null,
  download: string | null,
): Promise<Response> {
  const { store, tokens } = await storage();
  const claims = await checkToken(tokens, token, bucket, path);
  if (claims instanceof Response) return claims;
  const object = await store.stat(bucket, path);
  if (!object) return storageError(404, 'not_found', 'Object not found');
  const headers: Record<string, string> = {
    'content-type': object.contentType ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'no-cache',
  };
  if (download !== null) {
    const name = download || path.split('/').at(-1) || 'download';
    headers['content-disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;
  }
  // One `bytes=start-[end]` range (resumed downloads); anything else gets the whole object.
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.get('range') ?? '');
  let start = 0;
  let end = object.size - 1;
  let status = 200;
  if (range) {
    start = Number(range[1]);
    if (range[2] !== '') end = Math.min(end, Number(range[2]));
    if (start > end || start >= object.size) {
      return new Response(null, {
        status: 416,
        headers: { 'content-range': `bytes */${object.size}` },
      });
    }
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${object.size}`;
  }
  headers['content-length'] = String(end - start + 1);
  if (req.method === 'HEAD') return new Response(null, { status, headers });
  let stream = await store.read(bucket, path, start);
  if (end < object.size - 1) stream = stream.pipeThrough(takeBytes(end - start + 1));
  return new Response(stream, { status, headers });
}

async function routeStorage(req: Request, url: URL): Promise<Response> {
  let tokens: TokenModule;
  try {
    tokens = (await storage()).tokens;
  } catch (error) {
    return storageError(
      503,
      'Storage unavailable',
      `The local file store failed to load: ${String(error)}`,
    );
  }
  const target = tokens.parseSignedUrlPath(url.pathname);
  if (!target) {
    // A path the store would refuse (`..`, empty segments) or a route we do not serve.
    return storageError(400, 'Invalid path', 'Not a valid signed URL path for this store');
  }
  const token = url.searchParams.get('token');
  if (target.kind === 'upload') {
    if (req.method !== 'PUT' && req.method !== 'POST') {
      return storageError(405, 'Method not allowed', 'Upload with PUT or POST');
    }
    return await upload(req, target.bucket, target.path, token);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return storageError(405, 'Method not allowed', 'Download with GET');
  }
  return await download(req, target.bucket, target.path, token, url.searchParams.get('download'));
}

// Server ------------------------------------------------------------------------------------

async function route(req: Request): Promise<{ response: Response; fn?: string }> {
  const url = new URL(req.url);
  const fnMatch = /^\/functions\/v1\/([^/]+)(?:\/.*)?$/.exec(url.pathname);
  if (fnMatch) {
    return { response: await routeFunction(fnMatch[1], req), fn: fnMatch[1] };
  }
  if (url.pathname.startsWith('/storage/v1/object/')) {
    return { response: await routeStorage(req, url) };
  }
  if (url.pathname === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
    return { response: json(200, { status: 'ok', functions: await functionNames() }) };
  }
  return { response: json(404, { error: `No route ${req.method} ${url.pathname}` }) };
}

async function serve(req: Request): Promise<Response> {
  const started = performance.now();
  const url = new URL(req.url);
  let response: Response;
  let fn: string | undefined;
  try {
    ({ response, fn } = await route(req));
  } catch (error) {
    const failure = storageFailure(error);
    if (failure) {
      response = failure;
    } else {
      log({ level: 'error', event: 'request_failed', path: url.pathname, error: String(error) });
      response = json(500, { error: `Internal error in the local gateway: ${String(error)}` });
    }
  }
  // The function logs its own request line (route, user, outcome); the gateway logs the rest.
  if (fn === undefined || response.status === 404 || response.status === 202) {
    log({
      level: response.status >= 500 ? 'error' : response.status >= 400 ? 'warn' : 'info',
      method: req.method,
      // Never the query: it carries signed URL tokens.
      path: url.pathname,
      ...(fn ? { function: fn } : {}),
      status: response.status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
    });
  }
  return response;
}

const port = Number(env('BRIGHTRUN_GATEWAY_PORT') || '54321');
const functions = await functionNames();
// Load every present function before saying ready, so the first request pays no import cost
// (and Deno fetches their npm packages now).
await Promise.all(functions.map((name) => loadFunction(name)));

const controller = new AbortController();
const server = Deno.serve(
  { hostname: '127.0.0.1', port, signal: controller.signal, onListen: () => {} },
  serve,
);
log({
  event: 'ready',
  url: `http://127.0.0.1:${port}`,
  functions: functions.filter((name) => loaded.get(name)?.handler),
  failed: functions.filter((name) => !loaded.get(name)?.handler),
});

let stopping = false;
function shutdown(reason: string): void {
  if (stopping) return;
  stopping = true;
  log({ event: 'stopping', reason });
  controller.abort();
  // Open connections (a long background run) get a moment; then the process ends regardless.
  const force = setTimeout(() => Deno.exit(0), 3000);
  void server.finished.then(() => {
    clearTimeout(force);
    Deno.exit(0);
  });
}
Deno.addSignalListener('SIGINT', () => shutdown('SIGINT'));
Deno.addSignalListener('SIGTERM', () => shutdown('SIGTERM'));
// The launcher keeps our stdin open; EOF means it is gone and nobody will stop us.
void (async () => {
  const buffer = new Uint8Array(1024);
  try {
    while ((await Deno.stdin.read(buffer)) !== null) {
      // Nothing is sent on stdin; reading only detects its end.
    }
  } catch {
    // A closed or missing stdin: same as EOF.
  }
  shutdown('stdin closed');
})();
