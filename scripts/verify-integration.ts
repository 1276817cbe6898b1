// Verifies that a BrightRun backend is wired up: the environment, the seven tables with row level
// security, the storage buckets and their limits, every function answering (and refusing callers
// without the right key), and the GPU cluster. Against a hosted project it reads the environment;
// against the local stack, `.brightrun/local.json`:
//
//   npx tsx scripts/verify-integration.ts                        # hosted: environment variables
//   npx tsx scripts/verify-integration.ts --local [.brightrun/local.json]
//
// Environment (hosted): SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY,
// SUPABASE_DB_URL, GPU_CLUSTER_API_URL, GPU_CLUSTER_API_KEY, and a user's access token in
// BRIGHTRUN_USER_TOKEN (or BRIGHTRUN_JWT_SECRET, from which a short-lived one is made).
// Prints one green ✔ or red ✘ line per check; exits 0 only when every check passes.
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';

const TABLES = [
  'datasets',
  'training_jobs',
  'metrics_points',
  'model_artifacts',
  'checkpoints',
  'cost_records',
  'notifications',
];
const BUCKETS = [
  { id: 'lora-datasets', limit: 500 * 1024 * 1024, mime: 'application/jsonl' },
  { id: 'lora-models', limit: 5 * 1024 * 1024 * 1024, mime: undefined },
];
const BACKGROUND = ['validate-datasets', 'process-training-jobs', 'create-model-artifacts'];
const REQUIRED_ENV = [
  'SUPABASE_URL',
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_ROLE_KEY',
  'SUPABASE_DB_URL',
  'GPU_CLUSTER_API_URL',
  'GPU_CLUSTER_API_KEY',
] as const;
const TIMEOUT_MS = 15_000;

type Settings = Record<(typeof REQUIRED_ENV)[number] | 'USER_TOKEN', string | undefined>;

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const color = process.stdout.isTTY || process.env.FORCE_COLOR !== undefined;
const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const results: Check[] = [];

function report(name: string, ok: boolean, detail: string): void {
  results.push({ name, ok, detail });
  const mark = ok ? paint(32, '✔ PASS') : paint(31, '✘ FAIL');
  console.log(`${mark}  ${name}${detail ? ` — ${detail}` : ''}`);
}

async function check(name: string, fn: () => Promise<string>): Promise<void> {
  try {
    report(name, true, await fn());
  } catch (error) {
    report(name, false, error instanceof Error ? error.message : String(error));
  }
}

/** A short-lived user token (HS256), for projects whose JWT secret we were given. */
function mintUserToken(secret: string): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({
    sub: randomUUID(),
    role: 'authenticated',
    aud: 'authenticated',
    email: 'verify-integration@brightrun.invalid',
    iat: now,
    exp: now + 300,
  })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

function loadSettings(localFile: string | undefined): { settings: Settings; source: string } {
  if (localFile !== undefined) {
    const info = JSON.parse(readFileSync(localFile, 'utf8')) as Record<string, string>;
    return {
      source: `local stack (${localFile})`,
      settings: {
        SUPABASE_URL: info.url,
        SUPABASE_ANON_KEY: info.anonKey,
        SUPABASE_SERVICE_ROLE_KEY: info.serviceRoleKey,
        SUPABASE_DB_URL: info.dbUrl,
        GPU_CLUSTER_API_URL: info.gpuClusterUrl,
        GPU_CLUSTER_API_KEY: info.gpuClusterApiKey,
        USER_TOKEN: info.userToken,
      },
    };
  }
  const env = (name: string) => {
    const value = process.env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const secret = env('BRIGHTRUN_JWT_SECRET');
  return {
    source: 'environment',
    settings: {
      SUPABASE_URL: env('SUPABASE_URL')?.replace(/\/+$/, ''),
      SUPABASE_ANON_KEY: env('SUPABASE_ANON_KEY'),
      SUPABASE_SERVICE_ROLE_KEY: env('SUPABASE_SERVICE_ROLE_KEY'),
      SUPABASE_DB_URL: env('SUPABASE_DB_URL'),
      GPU_CLUSTER_API_URL: env('GPU_CLUSTER_API_URL')?.replace(/\/+$/, ''),
      GPU_CLUSTER_API_KEY: env('GPU_CLUSTER_API_KEY'),
      USER_TOKEN: env('BRIGHTRUN_USER_TOKEN') ?? (secret ? mintUserToken(secret) : undefined),
    },
  };
}

async function request(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Plain text answers are reported as they are.
  }
  return { status: response.status, body };
}

const brief = (body: unknown) => JSON.stringify(body).slice(0, 200);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { local: { type: 'string' } },
    args: process.argv.slice(2).flatMap((arg, i, all) =>
      // `--local` alone means the current workspace's file.
      arg === '--local' && (all[i + 1] === undefined || all[i + 1].startsWith('--'))
        ? ['--local', '.brightrun/local.json']
        : [arg],
    ),
  });
  const localFile = values.local !== undefined ? resolve(values.local) : undefined;
  if (localFile !== undefined && !existsSync(localFile)) {
    report(
      'local stack settings',
      false,
      `${localFile} not found: start it with \`npx brightrun local up\``,
    );
    return 1;
  }
  const { settings: s, source } = loadSettings(localFile);
  console.log(`BrightRun integration check against the ${source}\n`);

  for (const name of REQUIRED_ENV) {
    report(`setting ${name}`, s[name] !== undefined, s[name] !== undefined ? 'set' : 'missing');
  }
  report(
    'a user access token',
    s.USER_TOKEN !== undefined,
    s.USER_TOKEN !== undefined
      ? 'available'
      : 'missing: set BRIGHTRUN_USER_TOKEN (or BRIGHTRUN_JWT_SECRET to mint one)',
  );

  if (s.SUPABASE_DB_URL !== undefined) {
    const sql = postgres(s.SUPABASE_DB_URL, {
      max: 1,
      connect_timeout: 10,
      onnotice: () => {},
      prepare: !/:6543(\/|$)/.test(s.SUPABASE_DB_URL),
    });
    try {
      await check('database reachable', async () => {
        const [row] = await sql<
          { version: string }[]
        >`select current_setting('server_version') as version`;
        return `Postgres ${row.version}`;
      });
      const rows = await sql<{ relname: string; relrowsecurity: boolean }[]>`
        select c.relname, c.relrowsecurity
          from pg_class c
         where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
           and c.relname = any(${TABLES}::text[])`.catch(() => []);
      const found = new Map(rows.map((r) => [r.relname, r.relrowsecurity]));
      for (const table of TABLES) {
        report(`table public.${table}`, found.has(table), found.has(table) ? 'exists' : 'missing');
        report(
          `row level security on ${table}`,
          found.get(table) === true,
          found.get(table) === true ? 'enabled' : found.has(table) ? 'DISABLED' : 'no table',
        );
      }
      const buckets = await sql<
        {
          id: string;
          public: boolean;
          file_size_limit: string | null;
          allowed_mime_types: string[] | null;
        }[]
      >`select id, public, file_size_limit::text, allowed_mime_types from storage.buckets
         where id = any(${BUCKETS.map((b) => b.id)}::text[])`.catch(() => []);
      for (const expected of BUCKETS) {
        await check(`bucket ${expected.id}`, () => {
          const bucket = buckets.find((b) => b.id === expected.id);
          if (!bucket) throw new Error('missing');
          if (bucket.public) throw new Error('is public; it must be private');
          if (Number(bucket.file_size_limit) !== expected.limit) {
            throw new Error(
              `size limit ${bucket.file_size_limit ?? 'none'}, expected ${expected.limit}`,
            );
          }
          if (expected.mime && !(bucket.allowed_mime_types ?? []).includes(expected.mime)) {
            throw new Error(
              `allowed types ${JSON.stringify(bucket.allowed_mime_types)} lack ${expected.mime}`,
            );
          }
          const types = bucket.allowed_mime_types
            ? `, types ${bucket.allowed_mime_types.join(' ')}`
            : '';
          return Promise.resolve(`private, limit ${expected.limit} bytes${types}`);
        });
      }
    } finally {
      await sql.end({ timeout: 2 });
    }
  }

  if (s.SUPABASE_URL !== undefined) {
    const fn = (name: string, rest = '') => `${s.SUPABASE_URL}/functions/v1/${name}${rest}`;
    await check('api GET /health with a user token', async () => {
      if (s.USER_TOKEN === undefined) throw new Error('no user token to call it with');
      const { status, body } = await request(fn('api', '/health'), {
        headers: { authorization: `Bearer ${s.USER_TOKEN}`, apikey: s.SUPABASE_ANON_KEY ?? '' },
      });
      const success = (body as { success?: unknown }).success === true;
      if (status !== 200 || !success) throw new Error(`HTTP ${status} ${brief(body)}`);
      return `HTTP 200 ${brief((body as { data?: unknown }).data)}`;
    });
    await check('api refuses a call without a token', async () => {
      const { status } = await request(fn('api', '/datasets'));
      if (status !== 401) throw new Error(`HTTP ${status}, expected 401`);
      return 'HTTP 401';
    });
    for (const name of BACKGROUND) {
      await check(`${name} refuses callers without the service role key`, async () => {
        const statuses: number[] = [];
        for (const key of [undefined, s.SUPABASE_ANON_KEY]) {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (key !== undefined) headers.authorization = `Bearer ${key}`;
          const { status, body } = await request(fn(name), { method: 'POST', headers, body: '{}' });
          if (status === 404)
            throw new Error(`HTTP 404: the function is not deployed (${brief(body)})`);
          if (status !== 401 && status !== 403) {
            throw new Error(
              `HTTP ${status} ${key ? 'with the anon key' : 'without a key'}, expected 401/403`,
            );
          }
          statuses.push(status);
        }
        return `no key → ${statuses[0]}, anon key → ${statuses[1]}`;
      });
    }
    // RunPod workers trade their job's token for fresh upload URLs here; without it, a job that
    // runs longer than two hours cannot deliver its files.
    await check(
      'worker-upload-urls is deployed and refuses a call without a job token',
      async () => {
        const { status, body } = await request(fn('worker-upload-urls'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        if (status === 404)
          throw new Error(`HTTP 404: the function is not deployed (${brief(body)})`);
        if (status !== 401) throw new Error(`HTTP ${status}, expected 401`);
        return 'HTTP 401';
      },
    );
  }

  if (s.GPU_CLUSTER_API_URL !== undefined) {
    await check('GPU cluster reachable (GET /health with its key)', async () => {
      const { status, body } = await request(`${s.GPU_CLUSTER_API_URL}/health`, {
        headers: { authorization: `Bearer ${s.GPU_CLUSTER_API_KEY ?? ''}` },
      });
      if (status !== 200) throw new Error(`HTTP ${status} ${brief(body)}`);
      return `HTTP 200 ${brief(body)}`;
    });
  }

  const failed = results.filter((r) => !r.ok).length;
  const summary = `${results.length - failed} passed, ${failed} failed`;
  console.log(`\n${failed === 0 ? paint(32, summary) : paint(31, summary)}`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(
    paint(31, `verify-integration: ${error instanceof Error ? error.message : String(error)}`),
  );
  return 1;
});
