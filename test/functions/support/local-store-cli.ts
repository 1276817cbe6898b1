// Drives the local file store adapter (supabase/functions/_shared/storage/local-file-store.ts)
// from the functions tier, under Deno with the same environment as the functions: one
// operation per run, given as JSON in the first argument, answered as one JSON line.
//
//   {"op":"write","bucket":"lora-datasets","path":"<uid>/<id>/a.jsonl","text":"...","contentType":"application/jsonl"}
//   {"op":"stat"|"read"|"remove", "bucket", "path", "offset"?}
//   {"op":"verify","url":"<signed url>"}  (checks a signed URL's token with signed-url-token.ts)

declare const Deno: {
  args: string[];
  env: { get(name: string): string | undefined };
  exit(code: number): never;
};

interface StorageModule {
  storageFromEnv(this: void): {
    write(b: string, p: string, body: Uint8Array, type: string): Promise<void>;
    stat(b: string, p: string): Promise<unknown>;
    read(b: string, p: string, offset?: number): Promise<ReadableStream<Uint8Array>>;
    remove(b: string, p: string[]): Promise<void>;
  };
}
interface TokenModule {
  parseSignedUrlPath(path: string): { kind: string; bucket: string; path: string } | undefined;
  verifyStorageToken(secret: string, token: string, bucket: string, path: string): Promise<unknown>;
}
interface DbModule {
  closeDb(this: void): Promise<void>;
}

const shared = new URL('../../../supabase/functions/_shared/', import.meta.url);
const { storageFromEnv } = (await import(new URL('storage/port.ts', shared).href)) as StorageModule;
const tokens = (await import(new URL('storage/signed-url-token.ts', shared).href)) as TokenModule;
const { closeDb } = (await import(new URL('db.ts', shared).href)) as DbModule;

const request = JSON.parse(Deno.args[0]) as {
  op: string;
  bucket: string;
  path: string;
  text?: string;
  contentType?: string;
  offset?: number;
  url?: string;
};

async function run(): Promise<unknown> {
  const store = storageFromEnv();
  switch (request.op) {
    case 'write':
      await store.write(
        request.bucket,
        request.path,
        new TextEncoder().encode(request.text ?? ''),
        request.contentType ?? 'application/octet-stream',
      );
      return { ok: true };
    case 'stat':
      return { stat: await store.stat(request.bucket, request.path) };
    case 'read': {
      const stream = await store.read(request.bucket, request.path, request.offset);
      return { text: await new Response(stream).text() };
    }
    case 'remove':
      await store.remove(request.bucket, [request.path]);
      return { ok: true };
    case 'verify': {
      const url = new URL(request.url ?? '');
      const parsed = tokens.parseSignedUrlPath(url.pathname);
      if (!parsed) return { error: 'not a signed URL path' };
      const claims = await tokens.verifyStorageToken(
        Deno.env.get('BRIGHTRUN_JWT_SECRET') ?? '',
        url.searchParams.get('token') ?? '',
        parsed.bucket,
        parsed.path,
      );
      return { parsed, claims };
    }
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

let code = 0;
try {
  console.log(JSON.stringify(await run()));
} catch (error) {
  const e = error as { name?: string; message?: string; status?: number; reason?: string };
  console.log(
    JSON.stringify({ error: e.message, name: e.name, status: e.status, reason: e.reason }),
  );
  code = 1;
}
await closeDb();
Deno.exit(code);
